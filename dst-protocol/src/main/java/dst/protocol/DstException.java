package dst.protocol;

import java.io.IOException;

/**
 * The one error type of dst: an I/O failure carrying an errno-like {@link #errno() code}. The server
 * maps it to a reply status, the client maps reply statuses back to it, and the frontends hand
 * {@code -errno} to the kernel.
 */
public class DstException extends IOException {
    private final int errno;
    private final String reason;

    public DstException(int errno, String message) {
        super(Errno.name(errno) + ": " + message);
        this.errno = errno;
        this.reason = message;
    }

    public DstException(int errno, String message, Throwable cause) {
        super(Errno.name(errno) + ": " + message, cause);
        this.errno = errno;
        this.reason = message;
    }

    /** The message without the errno name in front, for sending to a peer that adds its own. */
    public String reason() {
        return reason;
    }

    public int errno() {
        return errno;
    }

    /** The errno for any throwable: its own when it is a DstException, EIO otherwise. */
    public static int errnoOf(Throwable t) {
        while (t != null) {
            if (t instanceof DstException e) {
                return e.errno;
            }
            t = t.getCause();
        }
        return Errno.EIO;
    }
}
