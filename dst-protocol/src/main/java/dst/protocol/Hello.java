package dst.protocol;

import dst.protocol.auth.AuthProof;

/**
 * What a client asks for in its HELLO.
 *
 * @param exportName       the export to open
 * @param features         feature bits wanted
 * @param requiredFeatures feature bits the client cannot work without
 * @param maxRequest       largest request payload the client will send or accept
 * @param sessionId        a session to resume after a reconnect, 0 for a new one
 * @param software         client software and version, for the server's log
 * @param identity         who the client claims to be, proven in AUTH; empty for an anonymous client
 * @param nonce            the client's fresh random challenge to the server; empty when anonymous
 * @param attach           how the client means to use the export ({@link Tlv.AttachFlags}; 0: exclusive read-write)
 */
public record Hello(String exportName, int features, int requiredFeatures, int maxRequest, long sessionId,
                    String software, String identity, byte[] nonce, int attach) {
    public static final int MIN_VERSION = 1;
    public static final int MAX_VERSION = 1;
    /** Longest identity name accepted (it appears in logs and in the clients file). */
    public static final int MAX_IDENTITY = 128;

    /** An anonymous HELLO of an exclusive writer. */
    public Hello(String exportName, int features, int requiredFeatures, int maxRequest, long sessionId, String software) {
        this(exportName, features, requiredFeatures, maxRequest, sessionId, software, "", new byte[0]);
    }

    /** A HELLO of an exclusive writer. */
    public Hello(String exportName, int features, int requiredFeatures, int maxRequest, long sessionId, String software,
                 String identity, byte[] nonce) {
        this(exportName, features, requiredFeatures, maxRequest, sessionId, software, identity, nonce, 0);
    }

    /** This HELLO with the attach flags {@code flags} ({@link Tlv.AttachFlags}). */
    public Hello withAttach(int flags) {
        return new Hello(exportName, features, requiredFeatures, maxRequest, sessionId, software, identity, nonce, flags);
    }

    /** Whether the client asked to only read. */
    public boolean readOnly() {
        return (attach & Tlv.AttachFlags.READ_ONLY) != 0;
    }

    /** Whether the client writes alongside other shared writers. */
    public boolean shared() {
        return (attach & Tlv.AttachFlags.SHARED) != 0;
    }

    public boolean anonymous() {
        return identity.isEmpty();
    }

    /** Compares the nonce by content (a record compares arrays by reference). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Hello h && exportName.equals(h.exportName) && features == h.features
                && requiredFeatures == h.requiredFeatures && maxRequest == h.maxRequest && sessionId == h.sessionId
                && software.equals(h.software) && identity.equals(h.identity) && java.util.Arrays.equals(nonce, h.nonce)
                && attach == h.attach;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(exportName, features, requiredFeatures, maxRequest, sessionId, software, identity, attach)
                * 31 + java.util.Arrays.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "Hello[export=" + exportName + ", identity=" + (anonymous() ? "(anonymous)" : identity) + ", features="
                + Features.describe(features) + ", session=" + Long.toHexString(sessionId) + ", software=" + software
                + ", attach=" + Tlv.AttachFlags.describe(attach) + "]";
    }

    public HandshakeFrame toFrame() {
        HandshakeFrame.Builder b = HandshakeFrame.builder(HandshakeFrame.HELLO)
                .u32(Tlv.PROTOCOL_VERSION, (MIN_VERSION << 16) | MAX_VERSION)
                .string(Tlv.EXPORT_NAME, exportName)
                .u32(Tlv.FEATURES, features)
                .u32(Tlv.REQUIRED_FEATURES, requiredFeatures)
                .u32(Tlv.MAX_REQUEST, maxRequest)
                .u64(Tlv.SESSION_ID, sessionId)
                .string(Tlv.SOFTWARE, software)
                .u32(Tlv.ATTACH, attach);
        if (!anonymous()) b.string(Tlv.IDENTITY, identity).bytes(Tlv.NONCE, nonce);
        return b.build();
    }

    /** Reads a HELLO; throws {@link DstException} (EPROTO/EINVAL) when it is unusable. */
    public static Hello fromFrame(HandshakeFrame f) throws DstException {
        if (f.type() != HandshakeFrame.HELLO) {
            throw new DstException(Errno.EPROTO, "expected HELLO, got " + HandshakeFrame.typeName(f.type()));
        }
        try {
            var unknown = f.unknownCriticalTag(Tlv.PROTOCOL_VERSION, Tlv.EXPORT_NAME, Tlv.FEATURES,
                    Tlv.REQUIRED_FEATURES, Tlv.MAX_REQUEST, Tlv.SESSION_ID, Tlv.SOFTWARE, Tlv.IDENTITY, Tlv.NONCE, Tlv.ATTACH);
            if (unknown.isPresent()) {
                throw new DstException(Errno.EOPNOTSUPP, "unknown required option 0x" + Integer.toHexString(unknown.get()));
            }
            int versions = f.u32(Tlv.PROTOCOL_VERSION).orElseThrow(() -> new DstException(Errno.EPROTO, "HELLO without protocol version"));
            int min = versions >>> 16;
            int max = versions & 0xFFFF;
            if (min > MAX_VERSION || max < MIN_VERSION) {
                throw new DstException(Errno.EPROTO, "client speaks protocol versions " + min + ".." + max
                        + ", server speaks " + MIN_VERSION + ".." + MAX_VERSION);
            }
            String export = f.string(Tlv.EXPORT_NAME).orElseThrow(() -> new DstException(Errno.EINVAL, "HELLO without export name"));
            String identity = f.string(Tlv.IDENTITY).orElse("");
            byte[] nonce = f.bytes(Tlv.NONCE).orElse(new byte[0]);
            if (!identity.isEmpty() && nonce.length != AuthProof.NONCE_LENGTH) {
                throw new DstException(Errno.EPROTO, "HELLO with an identity needs a " + AuthProof.NONCE_LENGTH + "-byte nonce");
            }
            if (identity.length() > MAX_IDENTITY) throw new DstException(Errno.EPROTO, "identity longer than " + MAX_IDENTITY);
            return new Hello(export, f.u32(Tlv.FEATURES).orElse(0), f.u32(Tlv.REQUIRED_FEATURES).orElse(0),
                    f.u32(Tlv.MAX_REQUEST).orElse(ExportInfo.DEFAULT_MAX_REQUEST), f.u64(Tlv.SESSION_ID).orElse(0L),
                    f.string(Tlv.SOFTWARE).orElse("unknown"), identity, nonce, f.u32(Tlv.ATTACH).orElse(0));
        } catch (IllegalArgumentException e) {
            throw new DstException(Errno.EPROTO, "malformed HELLO: " + e.getMessage());
        }
    }
}
