package dst.protocol;

/**
 * What the server granted in its WELCOME: everything the client needs to use the export.
 *
 * @param name       export name
 * @param size       export size in bytes
 * @param blockSize  logical block size (512 or 4096)
 * @param maxRequest largest payload of one request
 * @param readOnly   writes are refused
 * @param features   negotiated {@link Features} bits
 * @param sessionId  session id, to resume after a reconnect
 * @param exportId   identity of the export's content; a different one after a reconnect means the
 *                   export was replaced and must not be written to as if it were the same disk
 * @param version    negotiated protocol version
 * @param bootId     identity of the server machine's current boot (0: not told), see {@link Tlv#BOOT_ID}
 * @param maxInFlight most requests (PING excepted) the client may have unanswered on the connection (0: no
 *                   limit told), see {@link Tlv#MAX_IN_FLIGHT}
 */
public record ExportInfo(String name, long size, int blockSize, int maxRequest, boolean readOnly, int features,
                         long sessionId, long exportId, int version, long bootId, int maxInFlight) {
    public static final int DEFAULT_MAX_REQUEST = 1024 * 1024;
    /** Hard ceiling for max request: bounds the memory one frame can make a peer allocate. */
    public static final int MAX_MAX_REQUEST = 32 * 1024 * 1024;

    /** Without a boot id (peers and tests that do not track server reboots). */
    public ExportInfo(String name, long size, int blockSize, int maxRequest, boolean readOnly, int features,
                      long sessionId, long exportId, int version) {
        this(name, size, blockSize, maxRequest, readOnly, features, sessionId, exportId, version, 0, 0);
    }

    /** Without an in-flight limit (peers and tests that do not announce one). */
    public ExportInfo(String name, long size, int blockSize, int maxRequest, boolean readOnly, int features,
                      long sessionId, long exportId, int version, long bootId) {
        this(name, size, blockSize, maxRequest, readOnly, features, sessionId, exportId, version, bootId, 0);
    }

    public ExportInfo {
        if (maxInFlight < 0) throw new IllegalArgumentException("maxInFlight must be >= 0 (0: no limit), got " + maxInFlight);
    }

    /**
     * The one rule for whether a request fits this export, applied by the client library, the frontends and the
     * server alike (so a bad request gets the same errno whichever layer sees it first), or null when it does:
     * <ul>
     *   <li>EOPNOTSUPP: not an I/O opcode;</li>
     *   <li>EROFS: a write, trim or zeroing on a read-only grant (the wire carries it as EPERM, the only
     *       read-only error NBD has; see {@link Errno#onWire});</li>
     *   <li>ENOSPC: a write or zeroing that does not end inside the export (the disk is full at its end);</li>
     *   <li>EINVAL: any other range that does not lie inside the export (negative, past the end, overflowing).</li>
     * </ul>
     * {@code length} is the request's byte count (unsigned 32 bits on the wire, so at most 2^32-1 from a frame);
     * a zero-length request at any offset up to the size is valid. FLUSH has no range.
     */
    public DstException refusal(int opcode, long offset, long length) {
        return refusal(opcode, offset, length, size);
    }

    /**
     * {@link #refusal(int, long, long)} against an export of {@code currentSize} bytes instead of the granted size:
     * for a server or client whose export grew since the handshake (online resize).
     */
    public DstException refusal(int opcode, long offset, long length, long currentSize) {
        long size = currentSize;
        if (!Opcode.isIo(opcode)) return new DstException(Errno.EOPNOTSUPP, "unknown opcode " + opcode);
        if (readOnly && Opcode.modifies(opcode)) {
            return new DstException(Errno.EROFS, "export '" + name + "' is read-only");
        }
        if (opcode == Opcode.FLUSH) return null;
        if (offset < 0 || length < 0) {
            return new DstException(Errno.EINVAL, "range " + offset + "+" + length + " is negative");
        }
        if (offset > size || length > size - offset) {
            return new DstException(Opcode.stores(opcode) ? Errno.ENOSPC : Errno.EINVAL, "range " + offset + "+" + length
                    + " is outside export '" + name + "' of " + size + " bytes");
        }
        return null;
    }

    /** {@link #refusal} as a check: throws the refusal, if any. */
    public void check(int opcode, long offset, long length) throws DstException {
        DstException refusal = refusal(opcode, offset, length);
        if (refusal != null) throw refusal;
    }

    /** This grant with the export grown (or shrunk) to {@code newSize} bytes. */
    public ExportInfo withSize(long newSize) {
        return new ExportInfo(name, newSize, blockSize, maxRequest, readOnly, features, sessionId, exportId, version, bootId, maxInFlight);
    }

    public boolean has(int feature) {
        return Features.has(features, feature);
    }

    public HandshakeFrame toWelcome() {
        return toWelcome(null);
    }

    /** The WELCOME frame, carrying the server's {@code proof} (see AuthProof) when the client authenticated. */
    public HandshakeFrame toWelcome(byte[] proof) {
        HandshakeFrame.Builder b = HandshakeFrame.builder(HandshakeFrame.WELCOME)
                .u32(Tlv.PROTOCOL_VERSION, version)
                .string(Tlv.EXPORT_NAME, name)
                .u64(Tlv.EXPORT_SIZE, size)
                .u32(Tlv.BLOCK_SIZE, blockSize)
                .u32(Tlv.MAX_REQUEST, maxRequest)
                .u32(Tlv.EXPORT_FLAGS, readOnly ? Tlv.ExportFlags.READ_ONLY : 0)
                .u32(Tlv.FEATURES, features)
                .u64(Tlv.SESSION_ID, sessionId)
                .u64(Tlv.EXPORT_ID, exportId)
                .u64(Tlv.BOOT_ID, bootId);
        if (maxInFlight > 0) b.u32(Tlv.MAX_IN_FLIGHT, maxInFlight);
        if (proof != null) b.bytes(Tlv.PROOF, proof);
        return b.build();
    }

    /** Reads a WELCOME, or turns an ERROR frame into the DstException it carries. */
    public static ExportInfo fromWelcome(HandshakeFrame f) throws DstException {
        if (f.type() == HandshakeFrame.ERROR) {
            throw new DstException(f.u32(Tlv.ERRNO).orElse(Errno.EIO), f.string(Tlv.MESSAGE).orElse("server refused"));
        }
        if (f.type() != HandshakeFrame.WELCOME) {
            throw new DstException(Errno.EPROTO, "expected WELCOME, got " + HandshakeFrame.typeName(f.type()));
        }
        try {
            var unknown = f.unknownCriticalTag(Tlv.PROTOCOL_VERSION, Tlv.EXPORT_NAME, Tlv.EXPORT_SIZE, Tlv.BLOCK_SIZE,
                    Tlv.MAX_REQUEST, Tlv.EXPORT_FLAGS, Tlv.FEATURES, Tlv.SESSION_ID, Tlv.EXPORT_ID, Tlv.SOFTWARE, Tlv.PROOF, Tlv.BOOT_ID,
                    Tlv.MAX_IN_FLIGHT);
            if (unknown.isPresent()) {
                throw new DstException(Errno.EOPNOTSUPP, "server requires unknown option 0x" + Integer.toHexString(unknown.get()));
            }
            long size = f.u64(Tlv.EXPORT_SIZE).orElseThrow(() -> new DstException(Errno.EPROTO, "WELCOME without size"));
            int blockSize = f.u32(Tlv.BLOCK_SIZE).orElse(512);
            int maxRequest = f.u32(Tlv.MAX_REQUEST).orElse(DEFAULT_MAX_REQUEST);
            int maxInFlight = f.u32(Tlv.MAX_IN_FLIGHT).orElse(0);
            if (size < 0 || (blockSize != 512 && blockSize != 4096) || maxRequest <= 0 || maxRequest > MAX_MAX_REQUEST
                    || maxInFlight < 0 || f.u32(Tlv.MAX_IN_FLIGHT).isPresent() && maxInFlight == 0) {
                throw new DstException(Errno.EPROTO, "WELCOME with impossible geometry: size=" + size
                        + " block=" + blockSize + " maxRequest=" + maxRequest + " maxInFlight=" + Integer.toUnsignedString(maxInFlight));
            }
            return new ExportInfo(f.string(Tlv.EXPORT_NAME).orElse(""), size, blockSize, maxRequest,
                    (f.u32(Tlv.EXPORT_FLAGS).orElse(0) & Tlv.ExportFlags.READ_ONLY) != 0,
                    f.u32(Tlv.FEATURES).orElse(0), f.u64(Tlv.SESSION_ID).orElse(0L), f.u64(Tlv.EXPORT_ID).orElse(0L),
                    f.u32(Tlv.PROTOCOL_VERSION).orElse(1), f.u64(Tlv.BOOT_ID).orElse(0L), maxInFlight);
        } catch (IllegalArgumentException e) {
            throw new DstException(Errno.EPROTO, "malformed WELCOME: " + e.getMessage());
        }
    }
}
