package dst.nativebridge;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The libc functions dst calls, bound with jnr-ffi (public only because jnr-ffi requires it: the rest of dst
 * uses the small Java types of this package, never raw file descriptors or pointers).
 *
 * <p>jnr-ffi 2.2.x corrupts the sixth argument of a function declared with exactly six primitive
 * parameters (jnr/jnr-ffi#181), so no declaration here has six primitive parameters.
 */
public interface LibC {
    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
    Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;

    int FALLOC_FL_KEEP_SIZE = 0x01;
    int FALLOC_FL_PUNCH_HOLE = 0x02;
    int FALLOC_FL_ZERO_RANGE = 0x10;

    int open(String path, int flags, int mode);

    int close(int fd);

    int fallocate(int fd, int mode, long offset, long len);

    int ioctl(int fd, long request, Pointer arg);

    int ioctl(int fd, long request, long arg);

    String strerror(int errnum);

    static int errno() {
        return RUNTIME.getLastError();
    }
}
