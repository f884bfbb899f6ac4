package dst.protocol.nbd;

import dst.protocol.Errno;

/**
 * The numbers of the NBD protocol (NetworkBlockDevice/nbd {@code doc/proto.md}, and its
 * {@code extension-ext-header} branch for extended headers), named as there without the {@code NBD_}
 * prefix, for both ends: dst-server's NBD front door and dst-client's NBD targets. All integers on the wire
 * are big-endian.
 *
 * <pre>
 * greeting   S: "NBDMAGIC" u64 | "IHAVEOPT" u64 | handshake flags u16          C: client flags u32
 * option     C: "IHAVEOPT" u64 | option u32 | length u32 | data
 * opt reply  S: REPLY_MAGIC u64 | option u32 | reply type u32 | length u32 | data
 * request    C: REQUEST_MAGIC u32 | flags u16 | type u16 | cookie u64 | offset u64 | length u32 | [data]      (28 B)
 *   extended C: EXTENDED_REQUEST_MAGIC u32 | flags u16 | type u16 | cookie u64 | offset u64 | length u64 | [data] (32 B)
 * simple     S: SIMPLE_REPLY_MAGIC u32 | error u32 | cookie u64 | [data]                                   (16 B)
 * structured S: STRUCTURED_REPLY_MAGIC u32 | flags u16 | type u16 | cookie u64 | length u32 | payload           (20 B)
 * extended   S: EXTENDED_REPLY_MAGIC u32 | flags u16 | type u16 | cookie u64 | offset u64 | length u64 | payload (32 B)
 * </pre>
 */
public final class Nbd {
    public static final int PORT = 10809;

    public static final long NBDMAGIC = 0x4e42444d41474943L;       // "NBDMAGIC"
    public static final long IHAVEOPT = 0x49484156454F5054L;       // "IHAVEOPT"
    public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    public static final int REQUEST_MAGIC = 0x25609513;
    public static final int EXTENDED_REQUEST_MAGIC = 0x21e41c71;
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    public static final int EXTENDED_REPLY_MAGIC = 0x6e8a278c;

    public static final int REQUEST_SIZE = 28;
    public static final int EXTENDED_REQUEST_SIZE = 32;
    public static final int SIMPLE_REPLY_SIZE = 16;
    public static final int STRUCTURED_REPLY_SIZE = 20;
    public static final int EXTENDED_REPLY_SIZE = 32;
    public static final int OPTION_REPLY_SIZE = 20;

    // handshake flags (server) and client flags
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    public static final int FLAG_NO_ZEROES = 1 << 1;
    public static final int FLAG_C_FIXED_NEWSTYLE = 1;
    public static final int FLAG_C_NO_ZEROES = 1 << 1;

    // transmission flags (u16, with the export)
    public static final int FLAG_HAS_FLAGS = 1;
    public static final int FLAG_READ_ONLY = 1 << 1;
    public static final int FLAG_SEND_FLUSH = 1 << 2;
    public static final int FLAG_SEND_FUA = 1 << 3;
    public static final int FLAG_ROTATIONAL = 1 << 4;
    public static final int FLAG_SEND_TRIM = 1 << 5;
    public static final int FLAG_SEND_WRITE_ZEROES = 1 << 6;
    public static final int FLAG_SEND_DF = 1 << 7;
    public static final int FLAG_CAN_MULTI_CONN = 1 << 8;
    public static final int FLAG_SEND_RESIZE = 1 << 9;
    public static final int FLAG_SEND_CACHE = 1 << 10;
    public static final int FLAG_SEND_FAST_ZERO = 1 << 11;

    // options
    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;
    public static final int OPT_LIST_META_CONTEXT = 9;
    public static final int OPT_SET_META_CONTEXT = 10;
    public static final int OPT_EXTENDED_HEADERS = 11;

    // option reply types
    public static final int REP_ACK = 1;
    public static final int REP_SERVER = 2;
    public static final int REP_INFO = 3;
    public static final int REP_META_CONTEXT = 4;
    public static final int REP_FLAG_ERROR = 1 << 31;
    public static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
    public static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
    public static final int REP_ERR_INVALID = REP_FLAG_ERROR | 3;
    public static final int REP_ERR_PLATFORM = REP_FLAG_ERROR | 4;
    public static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
    public static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;
    public static final int REP_ERR_SHUTDOWN = REP_FLAG_ERROR | 7;
    public static final int REP_ERR_BLOCK_SIZE_REQD = REP_FLAG_ERROR | 8;
    public static final int REP_ERR_TOO_BIG = REP_FLAG_ERROR | 9;
    public static final int REP_ERR_EXT_HEADER_REQD = REP_FLAG_ERROR | 10;

    // NBD_INFO types
    public static final int INFO_EXPORT = 0;
    public static final int INFO_NAME = 1;
    public static final int INFO_DESCRIPTION = 2;
    public static final int INFO_BLOCK_SIZE = 3;

    // commands
    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_CACHE = 5;
    public static final int CMD_WRITE_ZEROES = 6;
    public static final int CMD_BLOCK_STATUS = 7;

    // command flags
    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;
    public static final int CMD_FLAG_REQ_ONE = 1 << 3;
    public static final int CMD_FLAG_FAST_ZERO = 1 << 4;
    public static final int CMD_FLAG_PAYLOAD_LEN = 1 << 5;

    // structured reply flags and chunk types
    public static final int REPLY_FLAG_DONE = 1;
    public static final int REPLY_TYPE_NONE = 0;
    public static final int REPLY_TYPE_OFFSET_DATA = 1;
    public static final int REPLY_TYPE_OFFSET_HOLE = 2;
    public static final int REPLY_TYPE_BLOCK_STATUS = 5;
    public static final int REPLY_TYPE_BLOCK_STATUS_EXT = 6;
    public static final int REPLY_TYPE_ERROR_BIT = 1 << 15;
    public static final int REPLY_TYPE_ERROR = REPLY_TYPE_ERROR_BIT + 1;
    public static final int REPLY_TYPE_ERROR_OFFSET = REPLY_TYPE_ERROR_BIT + 2;

    // base:allocation
    public static final String BASE_ALLOCATION = "base:allocation";
    public static final int STATE_HOLE = 1;
    public static final int STATE_ZERO = 1 << 1;

    // error values (the only ones NBD allows on the wire; Linux numbers)
    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSUP = 95;
    public static final int ESHUTDOWN = 108;

    /** Longest string NBD allows (export names, messages, queries). */
    public static final int MAX_STRING = 4096;

    /** Without NBD_INFO_BLOCK_SIZE a client must keep payloads within 32 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD = 32 << 20;

    private Nbd() {
    }

    /**
     * The NBD error for a dst errno: NBD allows only eight values, so the rest map to the nearest one (EFBIG and
     * EDQUOT are ENOSPC as the spec asks; EROFS and EACCES are EPERM; anything unknown is EIO: a backend failure).
     */
    public static int error(int errno) {
        return switch (errno) {
            case Errno.EPERM, Errno.EROFS, Errno.EACCES -> EPERM;
            case Errno.ENOMEM -> ENOMEM;
            case Errno.EINVAL -> EINVAL;
            case Errno.ENOSPC, Errno.EFBIG, 122 /* EDQUOT */ -> ENOSPC;
            case EOVERFLOW -> EOVERFLOW;
            case Errno.EOPNOTSUPP -> ENOTSUP;
            case Errno.ESHUTDOWN -> ESHUTDOWN;
            default -> EIO;
        };
    }

    /** The option's name for logs, e.g. {@code NBD_OPT_GO}. */
    public static String optionName(int option) {
        return switch (option) {
            case OPT_EXPORT_NAME -> "NBD_OPT_EXPORT_NAME";
            case OPT_ABORT -> "NBD_OPT_ABORT";
            case OPT_LIST -> "NBD_OPT_LIST";
            case OPT_STARTTLS -> "NBD_OPT_STARTTLS";
            case OPT_INFO -> "NBD_OPT_INFO";
            case OPT_GO -> "NBD_OPT_GO";
            case OPT_STRUCTURED_REPLY -> "NBD_OPT_STRUCTURED_REPLY";
            case OPT_LIST_META_CONTEXT -> "NBD_OPT_LIST_META_CONTEXT";
            case OPT_SET_META_CONTEXT -> "NBD_OPT_SET_META_CONTEXT";
            case OPT_EXTENDED_HEADERS -> "NBD_OPT_EXTENDED_HEADERS";
            default -> "NBD_OPT#" + Integer.toUnsignedString(option);
        };
    }

    /** The command's name for logs, e.g. {@code NBD_CMD_READ}. */
    public static String commandName(int type) {
        return switch (type) {
            case CMD_READ -> "NBD_CMD_READ";
            case CMD_WRITE -> "NBD_CMD_WRITE";
            case CMD_DISC -> "NBD_CMD_DISC";
            case CMD_FLUSH -> "NBD_CMD_FLUSH";
            case CMD_TRIM -> "NBD_CMD_TRIM";
            case CMD_CACHE -> "NBD_CMD_CACHE";
            case CMD_WRITE_ZEROES -> "NBD_CMD_WRITE_ZEROES";
            case CMD_BLOCK_STATUS -> "NBD_CMD_BLOCK_STATUS";
            default -> "NBD_CMD#" + type;
        };
    }

    /** Names of the transmission flags that are set, e.g. {@code HAS_FLAGS,SEND_FLUSH}. */
    public static String describeFlags(int flags) {
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

    /** What an option error reply means, for the message a user sees. */
    public static String describeOptionError(int reply) {
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
            case REP_ERR_EXT_HEADER_REQD -> "the server requires extended headers";
            default -> "error " + Integer.toHexString(reply);
        };
    }
}
