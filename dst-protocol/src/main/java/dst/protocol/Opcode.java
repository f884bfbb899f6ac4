package dst.protocol;

/** Request opcodes (one byte on the wire). Replies echo the opcode of their request. */
public final class Opcode {
    /** Only in replies: a connection-level error (bad frame); the connection closes after it. */
    public static final int CONNECTION_ERROR = 0;
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int FLUSH = 3;
    public static final int TRIM = 4;
    public static final int WRITE_ZEROES = 5;
    /** Keepalive: the server answers at once, so both ends see traffic on an idle link. */
    public static final int PING = 6;
    /**
     * Only from the server, and only to a client granted {@link Features#RESIZE}: a notification (transaction id 0,
     * status 0, payload the new export size as a u64) that the export grew. Never answered. A request with it is
     * EOPNOTSUPP like any unknown opcode.
     */
    public static final int SIZE_CHANGED = 7;
    /**
     * The client is done with its session (detach): the server ends it, and the write claim with it (PROTOCOL.md §5.1),
     * answers OK and closes the connection. Without it a closed connection keeps its claim for the claim grace, as a
     * client that will reconnect does. A server that predates it answers EOPNOTSUPP.
     */
    public static final int RELEASE = 8;

    /** Request flag: make this write durable before replying. */
    public static final int FLAG_FUA = 0x01;

    private Opcode() {
    }

    /** A request opcode the server executes (PING and CONNECTION_ERROR are not: they carry no I/O). */
    public static boolean isIo(int opcode) {
        return opcode >= READ && opcode <= WRITE_ZEROES;
    }

    /** Whether the request changes the export's content (refused on a read-only grant). */
    public static boolean modifies(int opcode) {
        return opcode == WRITE || opcode == TRIM || opcode == WRITE_ZEROES;
    }

    /** Whether the request addresses a byte range of the export (FLUSH covers the whole export). */
    public static boolean hasRange(int opcode) {
        return isIo(opcode) && opcode != FLUSH;
    }

    /**
     * Whether the request stores data, so that running out of the export is "no space" (ENOSPC) rather than a
     * bad argument: a disk that is full at its end, as nbdkit and the NBD spec answer writes past the end.
     */
    public static boolean stores(int opcode) {
        return opcode == WRITE || opcode == WRITE_ZEROES;
    }

    public static String name(int opcode) {
        return switch (opcode) {
            case CONNECTION_ERROR -> "CONNECTION_ERROR";
            case READ -> "READ";
            case WRITE -> "WRITE";
            case FLUSH -> "FLUSH";
            case TRIM -> "TRIM";
            case WRITE_ZEROES -> "WRITE_ZEROES";
            case PING -> "PING";
            case SIZE_CHANGED -> "SIZE_CHANGED";
            case RELEASE -> "RELEASE";
            default -> "OP#" + opcode;
        };
    }
}
