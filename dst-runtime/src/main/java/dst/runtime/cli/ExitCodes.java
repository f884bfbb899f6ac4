package dst.runtime.cli;

import dst.protocol.DstException;
import dst.protocol.Errno;

/**
 * Exit codes shared by dst-server and dst-client, so scripts can tell failures apart.
 * 0 ok; 1 failure at run time; 2 bad command line or input; 3 cannot reach the server;
 * 4 refused by the server (no such export, permission); 5 data mismatch (verification failed).
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int REFUSED = 4;
    public static final int MISMATCH = 5;

    private ExitCodes() {
    }

    /** Exit code for an exception that ended a command: mapped here and nowhere else. */
    public static int of(Throwable t) {
        if (t instanceof Coded c) return c.code;
        if (t instanceof IllegalArgumentException) return USAGE;
        if (t instanceof java.net.ConnectException) return UNREACHABLE;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) return UNREACHABLE;
            if (c instanceof DstException d) {
                return switch (d.errno()) {
                    case Errno.ECONNREFUSED, Errno.ENOTCONN, Errno.ETIMEDOUT -> UNREACHABLE;
                    case Errno.ENOENT, Errno.EACCES, Errno.EPERM, Errno.EROFS, Errno.EOPNOTSUPP, Errno.EPROTO -> REFUSED;
                    default -> FAILURE;
                };
            }
        }
        return FAILURE;
    }

    /**
     * A failure that already knows its exit code: one another process decided (a server answering on its control
     * socket says which of the codes above its refusal is).
     */
    public static final class Coded extends RuntimeException {
        private final int code;

        public Coded(String message, int code) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
