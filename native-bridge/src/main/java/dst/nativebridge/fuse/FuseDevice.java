package dst.nativebridge.fuse;

import dst.protocol.Errno;
import dst.nativebridge.IoVecs;
import dst.nativebridge.LibC;
import dst.nativebridge.NativeException;
import jnr.ffi.Pointer;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One FUSE connection: a {@code /dev/fuse} descriptor mounted on a directory with {@code mount(2)} (what libfuse
 * does when it runs as root). Any number of threads may {@link #read} requests and {@link #reply} at once: the
 * kernel hands each request to exactly one reader and takes each reply in one {@code writev(2)}.
 */
public final class FuseDevice implements Closeable {
    private static final LibC LIBC = LibC.INSTANCE;
    private static final long MS_RDONLY = 1;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    /** enum fuse_notify_code: FUSE_NOTIFY_RESEND, sent as the error field of a header with unique 0. */
    private static final int FUSE_NOTIFY_RESEND = 7;

    /** The most data buffers one {@link #reply} takes (plus the header): a 1 MiB read arrives in up to ~20 socket reads. */
    public static final int MAX_DATA_BUFFERS = IoVecs.MAX - 1;

    private final int fd;
    private final Path mountPoint;
    private volatile boolean closed;

    private FuseDevice(int fd, Path mountPoint) {
        this.fd = fd;
        this.mountPoint = mountPoint;
    }

    /**
     * A FUSE connection that outlives its processes: copies descriptor {@code fd} of process {@code pid} with
     * {@code pidfd_open(2)} + {@code pidfd_getfd(2)} (root, or ptrace rights over {@code pid}). The copy shares
     * the source's open file description, so the kernel sees one connection with one more reference: it stays
     * alive, its requests queued, as long as any process holds a copy. Close-on-exec, as pidfd_getfd makes it.
     *
     * @param mountPoint where that connection is mounted (for messages and {@link #unmount})
     */
    public static FuseDevice takeFrom(long pid, int fd, Path mountPoint) throws NativeException {
        long pidfd = LIBC.syscall(LibC.SYS_PIDFD_OPEN, pid, 0, 0, 0, 0, 0);
        if (pidfd < 0) throw new NativeException("pidfd_open(" + pid + ")", LibC.errno());
        try {
            long copy = LIBC.syscall(LibC.SYS_PIDFD_GETFD, pidfd, fd, 0, 0, 0, 0);
            if (copy < 0) throw new NativeException("pidfd_getfd(pid " + pid + ", fd " + fd + ")", LibC.errno());
            return new FuseDevice((int) copy, mountPoint);
        } finally {
            LIBC.close((int) pidfd);
        }
    }

    /** This process's number for the connection's descriptor: what another process passes to {@link #takeFrom}. */
    public int descriptor() {
        return fd;
    }

    /**
     * {@code FUSE_NOTIFY_RESEND} (Linux 6.9+, {@code FUSE_HAS_RESEND} in INIT): every request some reader took but
     * never answered (its process died) goes back to the queue for the next {@link #read}, with bit 63 of its
     * {@code unique} set; the reply echoes that unique as read.
     */
    public void notifyResend() throws NativeException {
        ByteBuffer header = ByteBuffer.allocateDirect(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putInt(0, 16).putInt(4, FUSE_NOTIFY_RESEND).putLong(8, 0);
        NativeException.check("writev(/dev/fuse, FUSE_NOTIFY_RESEND)", (int) replyRaw(header));
    }

    /**
     * Opens {@code /dev/fuse} and mounts it on {@code mountPoint} as file system type {@code fuse.SUBTYPE}.
     * The kernel queues an INIT request at once; nothing on the mount answers until it has been replied to.
     *
     * @param options extra mount options, e.g. {@code "allow_other,max_read=1048576"} (may be empty)
     */
    public static FuseDevice mount(Path mountPoint, String source, String subtype, boolean readOnly, String options) throws NativeException {
        int fd = NativeException.check("open(/dev/fuse)", LIBC.open("/dev/fuse", LibC.O_RDWR | LibC.O_CLOEXEC, 0));
        String data = "fd=" + fd + ",rootmode=40000,user_id=" + LIBC.geteuid() + ",group_id=" + LIBC.getegid()
                + (options.isEmpty() ? "" : "," + options);
        long flags = MS_NOSUID | MS_NODEV | (readOnly ? MS_RDONLY : 0);
        if (LIBC.mount(source, mountPoint.toString(), "fuse." + subtype, flags, data) < 0) {
            int errno = LibC.errno();
            LIBC.close(fd);
            throw new NativeException("mount(" + mountPoint + ", fuse." + subtype + ")", errno);
        }
        return new FuseDevice(fd, mountPoint);
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /**
     * Blocks until the kernel has a request and reads it (whole) into {@code buffer} from position 0.
     *
     * @return the request's length, or -1 once the connection is gone (unmounted or aborted)
     */
    public int read(ByteBuffer buffer) throws NativeException {
        while (true) {
            if (closed) return -1;
            long n = LIBC.read(fd, buffer, buffer.capacity());
            if (n >= 0) return (int) n;
            int errno = LibC.errno();
            switch (errno) {
                case Errno.ENOENT, Errno.EINTR, Errno.EAGAIN -> { } // the request was interrupted before we got it: next one
                case Errno.ENODEV -> {
                    return -1;
                }
                default -> throw new NativeException("read(/dev/fuse)", errno);
            }
        }
    }

    /**
     * Writes one reply: {@code header} (a {@code fuse_out_header} and any small struct after it) followed by
     * {@code data} (at most {@link #MAX_DATA_BUFFERS}), all direct buffers from their position to their limit.
     *
     * @return false when the kernel no longer waits for it (interrupted request, connection gone)
     */
    public boolean reply(ByteBuffer header, ByteBuffer... data) throws NativeException {
        long n = replyRaw(header, data);
        if (n >= 0) return true;
        int errno = LibC.errno();
        if (errno == Errno.ENOENT || errno == Errno.ENODEV) return false;
        if (errno == Errno.EINVAL) throw new NativeException("writev(/dev/fuse) refused a malformed reply", errno);
        throw new NativeException("writev(/dev/fuse)", errno);
    }

    private long replyRaw(ByteBuffer header, ByteBuffer... data) {
        if (data.length > MAX_DATA_BUFFERS) throw new IllegalArgumentException(data.length + " buffers in one reply");
        Pointer iov = IoVecs.array();
        IoVecs.put(iov, 0, header);
        int count = 1;
        for (ByteBuffer part : data) {
            if (part.hasRemaining()) IoVecs.put(iov, count++, part);
        }
        return LIBC.writev(fd, iov, count);
    }

    /**
     * Unmounts (not lazily): fails with EBUSY while the file system is in use, e.g. its file attached to a loop
     * device. Readers then see the connection gone.
     */
    public void unmount() throws NativeException {
        if (LIBC.umount2(mountPoint.toString(), 0) < 0) {
            int errno = LibC.errno();
            if (errno != Errno.EINVAL) throw new NativeException("umount(" + mountPoint + ")", errno); // EINVAL: not mounted
        }
    }

    /** Closes the descriptor; a still mounted file system then answers ENOTCONN. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        LIBC.close(fd);
    }
}
