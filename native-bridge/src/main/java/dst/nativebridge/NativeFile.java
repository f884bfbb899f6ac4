package dst.nativebridge;

import dst.protocol.Errno;
import jnr.ffi.Pointer;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A file descriptor for the operations Java's FileChannel lacks: punching holes and zeroing
 * ranges with {@code fallocate(2)}, so that discards really free space on the server, and finding
 * a sparse file's data and holes with {@code lseek(2)} SEEK_DATA/SEEK_HOLE.
 */
public final class NativeFile implements Closeable {
    /** errno values a caller may want to react to (fallocate mode not supported by the filesystem). */
    public static final int EOPNOTSUPP = 95;
    /** lseek(SEEK_DATA) past the last data. */
    private static final int ENXIO = 6;

    private final String path;
    private int fd;

    private NativeFile(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    public static NativeFile open(Path path, boolean writable) throws NativeException {
        String p = path.toString();
        int fd = NativeException.check("open(" + p + ")",
                LibC.INSTANCE.open(p, (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC, 0));
        return new NativeFile(p, fd);
    }

    /** Deallocates the range; it reads back as zeros and the file keeps its size. */
    public void punchHole(long offset, long length) throws NativeException {
        NativeException.check("fallocate(PUNCH_HOLE, " + path + ")",
                LibC.INSTANCE.fallocate(fd, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, offset, length));
    }

    /** Zeroes the range, keeping it allocated (for a later write not to fail with ENOSPC). */
    public void zeroRange(long offset, long length) throws NativeException {
        NativeException.check("fallocate(ZERO_RANGE, " + path + ")",
                LibC.INSTANCE.fallocate(fd, LibC.FALLOC_FL_ZERO_RANGE | LibC.FALLOC_FL_KEEP_SIZE, offset, length));
    }

    /**
     * Reads {@code dst}'s remaining bytes at {@code offset} only as far as it can without waiting for the disk
     * ({@code preadv2} with RWF_NOWAIT: what the page cache holds, or holes). Returns the bytes read (fewer at the
     * end of the file or where the cache stops; {@code dst}'s position is not moved), or -1 when the first byte
     * is not in memory. Throws with EOPNOTSUPP where the filesystem cannot read without waiting.
     */
    public int readIfCached(ByteBuffer dst, long offset) throws NativeException {
        Pointer iov = IoVecs.array();
        IoVecs.put(iov, 0, dst);
        long n = LibC.INSTANCE.preadv2(fd, iov, 1, offset, LibC.RWF_NOWAIT);
        if (n >= 0) return (int) n;
        int errno = LibC.errno();
        if (errno == Errno.EAGAIN) return -1;
        throw new NativeException("preadv2(RWF_NOWAIT, " + path + ")", errno);
    }

    /** The first offset at or after {@code offset} holding data, or -1 when only holes follow (to the end). */
    public long seekData(long offset) throws NativeException {
        long at = LibC.INSTANCE.lseek(fd, offset, LibC.SEEK_DATA);
        if (at < 0) {
            int errno = LibC.errno();
            if (errno == ENXIO) return -1;
            throw new NativeException("lseek(SEEK_DATA, " + path + ")", errno);
        }
        return at;
    }

    /** The first offset at or after {@code offset} in a hole (the end of the file counts as one). */
    public long seekHole(long offset) throws NativeException {
        long at = LibC.INSTANCE.lseek(fd, offset, LibC.SEEK_HOLE);
        if (at < 0) throw new NativeException("lseek(SEEK_HOLE, " + path + ")", LibC.errno());
        return at;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
            fd = -1;
        }
    }
}
