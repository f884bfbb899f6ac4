package dst.client.net.nbd;

import dst.protocol.Errno;

/**
 * Numbers of the NBD protocol (the NBD project's {@code doc/proto.md}) that the client uses, named as there.
 * All integers on the wire are big-endian.
 */
final class Nbd {
    private Nbd() {
    }

    // Handshake (fixed newstyle)
    static final long NBDMAGIC = 0x4e42444d41474943L;       // "NBDMAGIC"
    static final long IHAVEOPT = 0x49484156454F5054L;       // "IHAVEOPT"
    static final long OPT_REPLY_MAGIC = 0x3e889045565a9L;
    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 1 << 1;
    static final int FLAG_C_FIXED_NEWSTYLE = 1;
    static final int FLAG_C_NO_ZEROES = 1 << 1;

    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_STARTTLS = 5;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;

    static final int REP_ACK = 1;
    static final int REP_INFO = 3;
    static final int REP_FLAG_ERROR = 1 << 31;
    static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
    static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
    static final int REP_ERR_INVALID = REP_FLAG_ERROR | 3;
    static final int REP_ERR_PLATFORM = REP_FLAG_ERROR | 4;
    static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
    static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;
    static final int REP_ERR_SHUTDOWN = REP_FLAG_ERROR | 7;
    static final int REP_ERR_BLOCK_SIZE_REQD = REP_FLAG_ERROR | 8;
    static final int REP_ERR_TOO_BIG = REP_FLAG_ERROR | 9;

    static final int INFO_EXPORT = 0;
    static final int INFO_BLOCK_SIZE = 3;

    // Transmission flags (u16, with the export)
    static final int FLAG_HAS_FLAGS = 1;
    static final int FLAG_READ_ONLY = 1 << 1;
    static final int FLAG_SEND_FLUSH = 1 << 2;
    static final int FLAG_SEND_FUA = 1 << 3;
    static final int FLAG_ROTATIONAL = 1 << 4;
    static final int FLAG_SEND_TRIM = 1 << 5;
    static final int FLAG_SEND_WRITE_ZEROES = 1 << 6;
    static final int FLAG_SEND_DF = 1 << 7;
    static final int FLAG_CAN_MULTI_CONN = 1 << 8;
    static final int FLAG_SEND_RESIZE = 1 << 9;
    static final int FLAG_SEND_CACHE = 1 << 10;
    static final int FLAG_SEND_FAST_ZERO = 1 << 11;

    // Transmission
    static final int REQUEST_MAGIC = 0x25609513;
    static final int REQUEST_HEADER = 28;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int SIMPLE_REPLY_HEADER = 16;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    static final int STRUCTURED_REPLY_HEADER = 20;

    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_WRITE_ZEROES = 6;
    static final int CMD_FLAG_FUA = 1;

    static final int REPLY_FLAG_DONE = 1;
    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_OFFSET_HOLE = 2;
    static final int REPLY_TYPE_ERROR_BIT = 1 << 15;

    /** Names of the transmission flags that are set, for {@code info}. */
    static String describeFlags(int flags) {
        String[] names = {"HAS_FLAGS", "READ_ONLY", "SEND_FLUSH", "SEND_FUA", "ROTATIONAL", "SEND_TRIM", "SEND_WRITE_ZEROES",
                "SEND_DF", "CAN_MULTI_CONN", "SEND_RESIZE", "SEND_CACHE", "SEND_FAST_ZERO", "BLOCK_STATUS_PAYLOAD"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if ((flags & (1 << i)) == 0) continue;
            if (b.length() > 0) b.append(',');
            b.append(i < names.length ? names[i] : "bit" + i);
        }
        return b.toString();
    }

    /** What an option error reply means, for the message the user sees. */
    static String describeOptionError(int reply) {
        return switch (reply) {
            case REP_ERR_UNSUP -> "option not supported";
            case REP_ERR_POLICY -> "forbidden by the server's policy";
            case REP_ERR_INVALID -> "invalid request";
            case REP_ERR_PLATFORM -> "not supported on the server's platform";
            case REP_ERR_TLS_REQD -> "the server requires TLS (use nbds:// with --tls-ca or --tls-fingerprint)";
            case REP_ERR_UNKNOWN -> "no such export";
            case REP_ERR_SHUTDOWN -> "the server is shutting down";
            case REP_ERR_BLOCK_SIZE_REQD -> "the server requires block size constraints to be honoured";
            case REP_ERR_TOO_BIG -> "request too big";
            default -> "error " + Integer.toHexString(reply);
        };
    }

    /** The errno a refusal becomes (exit codes: 4 = refused). */
    static int errnoOfOptionError(int reply) {
        return switch (reply) {
            case REP_ERR_UNKNOWN -> Errno.ENOENT;
            case REP_ERR_POLICY, REP_ERR_TLS_REQD -> Errno.EACCES;
            case REP_ERR_SHUTDOWN -> Errno.ESHUTDOWN;
            case REP_ERR_UNSUP, REP_ERR_PLATFORM -> Errno.EOPNOTSUPP;
            default -> Errno.EPROTO;
        };
    }
}
