package dst.protocol;

/**
 * Handshake option tags. An option is {@code u16 tag, u16 length, value}. Tags with the
 * {@link #CRITICAL} bit set must be understood: a receiver that does not know one refuses the
 * handshake; every other unknown tag is skipped, so the protocol grows by adding options.
 */
public final class Tlv {
    public static final int CRITICAL = 0x8000;

    /** utf8: the export the client wants (HELLO). */
    public static final int EXPORT_NAME = 0x0001;
    /** u32 feature bits: wanted (HELLO) or granted (WELCOME). */
    public static final int FEATURES = 0x0002;
    /** u32 feature bits the client cannot work without (HELLO). */
    public static final int REQUIRED_FEATURES = 0x0003;
    /** u32 largest payload of one request: proposed (HELLO), final (WELCOME). */
    public static final int MAX_REQUEST = 0x0004;
    /** u32: u16 min and u16 max protocol version, min in the high half (HELLO); the chosen version (WELCOME). */
    public static final int PROTOCOL_VERSION = 0x0005;
    /** u64 export size in bytes (WELCOME). */
    public static final int EXPORT_SIZE = 0x0006;
    /** u32 logical block size, 512 or 4096 (WELCOME). */
    public static final int BLOCK_SIZE = 0x0007;
    /** u32 export flags, see {@link ExportFlags} (WELCOME). */
    public static final int EXPORT_FLAGS = 0x0008;
    /** u64 session id: the session to resume (HELLO), the session granted (WELCOME). */
    public static final int SESSION_ID = 0x0009;
    /** u64 export identity: changes when the export behind a name is replaced (WELCOME). */
    public static final int EXPORT_ID = 0x000A;
    /** u32 errno (ERROR). */
    public static final int ERRNO = 0x000B;
    /** utf8 human readable text (ERROR). */
    public static final int MESSAGE = 0x000C;
    /** utf8 software name and version of the sender (HELLO, WELCOME), for logs. */
    public static final int SOFTWARE = 0x000D;
    /** 32 bytes random: client nonce (HELLO), server nonce (CHALLENGE). */
    public static final int NONCE = 0x000E;
    /** utf8 client identity (HELLO). */
    public static final int IDENTITY = 0x000F;
    /** 32 bytes HMAC proof (AUTH from client, WELCOME from server). */
    public static final int PROOF = 0x0010;
    /**
     * u64 identity of the server machine's boot (WELCOME). A different value after a reconnect means
     * the server machine restarted, so writes it acknowledged but had not flushed may be gone.
     */
    public static final int BOOT_ID = 0x0011;
    /**
     * u32 (WELCOME): the most requests, PING excepted, the client may have sent and not yet seen answered on
     * this connection. A client that sends more gets a connection error (EPROTO). Absent: no limit told.
     */
    public static final int MAX_IN_FLIGHT = 0x0012;
    /**
     * u32 (HELLO): how the client means to use the export, {@link AttachFlags}. Absent (an older client): 0, an
     * exclusive read-write session, the safe reading.
     */
    public static final int ATTACH = 0x0013;
    /** utf8 (ERROR with EBUSY): who holds the export read-write: {@code identity@address}, for scripts. */
    public static final int HOLDER = 0x0014;

    private Tlv() {
    }

    /** Attach flag bits carried in {@link #ATTACH}. */
    public static final class AttachFlags {
        /** The client only reads: it is granted READ_ONLY and never holds or meets a write claim. */
        public static final int READ_ONLY = 1;
        /** The client writes alongside other SHARED writers (a cluster filesystem); never with an exclusive one. */
        public static final int SHARED = 2;

        private AttachFlags() {
        }

        public static String describe(int flags) {
            if ((flags & READ_ONLY) != 0) return "read-only";
            return (flags & SHARED) != 0 ? "shared read-write" : "exclusive read-write";
        }
    }

    /** Export flag bits carried in {@link #EXPORT_FLAGS}. */
    public static final class ExportFlags {
        public static final int READ_ONLY = 1;

        private ExportFlags() {
        }
    }
}
