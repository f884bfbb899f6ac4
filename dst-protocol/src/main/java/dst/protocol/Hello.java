package dst.protocol;

/**
 * What a client asks for in its HELLO.
 *
 * @param exportName       the export to open
 * @param features         feature bits wanted
 * @param requiredFeatures feature bits the client cannot work without
 * @param maxRequest       largest request payload the client will send or accept
 * @param sessionId        a session to resume after a reconnect, 0 for a new one
 * @param software         client software and version, for the server's log
 */
public record Hello(String exportName, int features, int requiredFeatures, int maxRequest, long sessionId,
                    String software) {
    public static final int MIN_VERSION = 1;
    public static final int MAX_VERSION = 1;

    public HandshakeFrame toFrame() {
        return HandshakeFrame.builder(HandshakeFrame.HELLO)
                .u32(Tlv.PROTOCOL_VERSION, (MIN_VERSION << 16) | MAX_VERSION)
                .string(Tlv.EXPORT_NAME, exportName)
                .u32(Tlv.FEATURES, features)
                .u32(Tlv.REQUIRED_FEATURES, requiredFeatures)
                .u32(Tlv.MAX_REQUEST, maxRequest)
                .u64(Tlv.SESSION_ID, sessionId)
                .string(Tlv.SOFTWARE, software)
                .build();
    }

    /** Reads a HELLO; throws {@link DstException} (EPROTO/EINVAL) when it is unusable. */
    public static Hello fromFrame(HandshakeFrame f) throws DstException {
        if (f.type() != HandshakeFrame.HELLO) {
            throw new DstException(Errno.EPROTO, "expected HELLO, got " + HandshakeFrame.typeName(f.type()));
        }
        try {
            var unknown = f.unknownCriticalTag(Tlv.PROTOCOL_VERSION, Tlv.EXPORT_NAME, Tlv.FEATURES,
                    Tlv.REQUIRED_FEATURES, Tlv.MAX_REQUEST, Tlv.SESSION_ID, Tlv.SOFTWARE, Tlv.IDENTITY, Tlv.NONCE);
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
            return new Hello(export, f.u32(Tlv.FEATURES).orElse(0), f.u32(Tlv.REQUIRED_FEATURES).orElse(0),
                    f.u32(Tlv.MAX_REQUEST).orElse(ExportInfo.DEFAULT_MAX_REQUEST), f.u64(Tlv.SESSION_ID).orElse(0L),
                    f.string(Tlv.SOFTWARE).orElse("unknown"));
        } catch (IllegalArgumentException e) {
            throw new DstException(Errno.EPROTO, "malformed HELLO: " + e.getMessage());
        }
    }
}
