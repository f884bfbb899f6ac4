package dst.nativebridge;

import java.io.IOException;

/** A failed native call: the call, its errno, and the C library's text for it. */
public final class NativeException extends IOException {
    private final int errno;

    public NativeException(String call, int errno) {
        super(call + " failed: " + LibC.INSTANCE.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public static int check(String call, int rc) throws NativeException {
        if (rc < 0) {
            throw new NativeException(call, LibC.errno());
        }
        return rc;
    }

    public static long check(String call, long rc) throws NativeException {
        if (rc < 0) {
            throw new NativeException(call, LibC.errno());
        }
        return rc;
    }
}
