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

    int EFD_CLOEXEC = 0x80000;

    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x01;
    int MAP_PRIVATE = 0x02;
    int MAP_ANONYMOUS = 0x20;
    int MAP_POPULATE = 0x8000;
    /** What {@link #mmap} returns on failure. */
    long MAP_FAILED = -1L;

    long SYS_IO_URING_SETUP = 425;
    long SYS_IO_URING_ENTER = 426;
    /** pidfd_open(2) and pidfd_getfd(2) (Linux 5.6; the same numbers on x86_64 and arm64): copy another process's descriptor. */
    long SYS_PIDFD_OPEN = 434;
    long SYS_PIDFD_GETFD = 438;

    /** prctl option (linux/prctl.h): arg2 1 marks the calling thread as part of the I/O path (needs CAP_SYS_RESOURCE). */
    int PR_SET_IO_FLUSHER = 57;

    int FALLOC_FL_KEEP_SIZE = 0x01;
    int FALLOC_FL_PUNCH_HOLE = 0x02;
    int FALLOC_FL_ZERO_RANGE = 0x10;

    /** {@code lseek} whence values for sparse files: the next data at or after an offset, the next hole. */
    int SEEK_DATA = 3;
    int SEEK_HOLE = 4;

    int open(String path, int flags, int mode);

    long lseek(int fd, long offset, int whence);

    int close(int fd);

    int fallocate(int fd, int mode, long offset, long len);

    int ioctl(int fd, long request, Pointer arg);

    int ioctl(int fd, long request, long arg);

    /**
     * The first parameter is a {@code Pointer} (pass {@code null}), not a {@code long}: with six primitive
     * parameters jnr-ffi would corrupt {@code offset}.
     */
    long mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(long addr, long length);

    int madvise(long addr, long length, int advice);

    /** madvise(2): back the range with transparent huge pages where the kernel can (THP mode "madvise" or "always"). */
    int MADV_HUGEPAGE = 14;

    /** Declared with seven parameters, never six (see above); unused arguments are 0. */
    long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    int eventfd(int initval, int flags);

    long read(int fd, java.nio.ByteBuffer buf, long count);

    long write(int fd, java.nio.ByteBuffer buf, long count);

    /** {@code iov}: an array of {@code struct iovec { void *iov_base; size_t iov_len; }}. */
    long writev(int fd, Pointer iov, int iovcnt);

    /** preadv2(2); {@code iov} as for writev. */
    long preadv2(int fd, Pointer iov, int iovcnt, long offset, int flags);

    /** preadv2 flag: fail with EAGAIN instead of waiting for the disk (read only what the page cache holds). */
    int RWF_NOWAIT = 0x08;

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    /** Five parameters, as the kernel takes them; unused ones are 0. */
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int geteuid();

    int getegid();

    int getpid();

    String strerror(int errnum);

    static int errno() {
        return RUNTIME.getLastError();
    }
}
