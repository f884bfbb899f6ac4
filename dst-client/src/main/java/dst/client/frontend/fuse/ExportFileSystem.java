package dst.client.frontend.fuse;

import dst.client.core.BlockDevice;
import dst.protocol.DstException;
import dst.protocol.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import jnr.ffi.Pointer;
import jnr.ffi.provider.MemoryManager;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A FUSE file system holding exactly one file, {@code /EXPORT}, whose bytes are the remote export: every
 * callback is one {@link BlockDevice} request, waited for, its errno handed back to the kernel as
 * {@code -errno}. The loop device on top of the file turns block requests into these callbacks:
 * <pre>
 *   read/write         -> read/write
 *   fsync              -> flush             (loop's cache flush: the durability point)
 *   fallocate 0x3      -> trim              (punch hole: discard; must read back zeros)
 *   fallocate 0x10/0x11-> writeZeroes       (zero range)
 * </pre>
 *
 * <p>Threading: callbacks may come from any libfuse thread (one with {@code -s}); nothing here is shared
 * between calls but the immutable geometry and the thread-safe BlockDevice.
 *
 * <p>Buffers: a write's data is copied from libfuse's buffer into a pooled direct ByteBuf whose ownership
 * passes to {@link BlockDevice#write}; a read's ByteBuf is copied into libfuse's buffer and released here.
 */
final class ExportFileSystem extends FuseStubFS {
    private static final Logger LOG = Logger.getLogger(ExportFileSystem.class.getName());
    private static final int EINTR = 4;
    private static final int ENOENT = 2;
    private static final int EISDIR = 21;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int FALLOC_FL_ZERO_RANGE = 0x10;
    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;
    private static final long STATFS_BLOCK = 4096;

    private final BlockDevice device;
    private final String filePath;
    private final long size;
    private final boolean readOnly;
    private final MemoryManager memory = jnr.ffi.Runtime.getSystemRuntime().getMemoryManager();

    /** @param fileName the single file's name (the export name) */
    ExportFileSystem(BlockDevice device, String fileName) {
        if (fileName.isEmpty() || fileName.contains("/")) throw new IllegalArgumentException("bad file name '" + fileName + "'");
        this.device = device;
        this.filePath = "/" + fileName;
        this.size = device.info().size();
        this.readOnly = device.info().readOnly();
    }

    /** Directory {@code /} and the one file; everything else does not exist. */
    @Override
    public int getattr(String path, FileStat stat) {
        if ("/".equals(path)) {
            stat.st_mode.set(FileStat.S_IFDIR | 0755);
            stat.st_nlink.set(2);
            return 0;
        }
        if (!filePath.equals(path)) return -ENOENT;
        stat.st_mode.set(FileStat.S_IFREG | (readOnly ? 0444 : 0644));
        stat.st_nlink.set(1);
        stat.st_size.set(size);
        stat.st_blksize.set(device.info().blockSize());
        stat.st_blocks.set((size + 511) / 512);
        return 0;
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        if (!"/".equals(path)) return -ENOENT;
        filler.apply(buf, ".", null, 0);
        filler.apply(buf, "..", null, 0);
        filler.apply(buf, filePath.substring(1), null, 0);
        return 0;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        if ("/".equals(path)) return -EISDIR;
        if (!filePath.equals(path)) return -ENOENT;
        if (readOnly && (fi.flags.get() & O_ACCMODE) != O_RDONLY) return -Errno.EROFS;
        return 0;
    }

    /** The size is the export's: only a no-op "truncate" to the same size is allowed. */
    @Override
    public int truncate(String path, long length) {
        if (!filePath.equals(path)) return -ENOENT;
        if (readOnly) return -Errno.EROFS;
        return length == size ? 0 : -Errno.EINVAL;
    }

    @Override
    public int statfs(String path, Statvfs st) {
        // f_bsize becomes the loop device's discard granularity.
        st.f_bsize.set(STATFS_BLOCK);
        st.f_frsize.set(STATFS_BLOCK);
        st.f_blocks.set(size / STATFS_BLOCK);
        st.f_namemax.set(255);
        return 0;
    }

    @Override
    public int read(String path, Pointer buf, long length, long offset, FuseFileInfo fi) {
        try {
            return doRead(buf, length, offset);
        } catch (RuntimeException e) {
            return bug("read", e);
        }
    }

    private int doRead(Pointer buf, long length, long offset) {
        if (offset < 0) return -Errno.EINVAL;
        if (offset >= size || length <= 0) return 0;
        int n = (int) Math.min(length, size - offset);
        ByteBuf data;
        try {
            data = await(device.read(offset, n));
        } catch (DstException e) {
            return failed("read", offset, n, e);
        }
        try {
            int got = data.readableBytes();
            if (data.hasMemoryAddress()) {
                memory.newPointer(data.memoryAddress() + data.readerIndex(), got).transferTo(0, buf, 0, got);
            } else {
                byte[] copy = new byte[got];
                data.getBytes(data.readerIndex(), copy);
                buf.put(0, copy, 0, got);
            }
            return got;
        } finally {
            data.release();
        }
    }

    @Override
    public int write(String path, Pointer buf, long length, long offset, FuseFileInfo fi) {
        try {
            return doWrite(buf, length, offset);
        } catch (RuntimeException e) {
            return bug("write", e);
        }
    }

    private int doWrite(Pointer buf, long length, long offset) {
        if (readOnly) return -Errno.EROFS;
        if (offset < 0 || length < 0) return -Errno.EINVAL;
        if (length > size - offset) return -Errno.ENOSPC;
        int n = (int) length;
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(n, n);
        try {
            if (data.hasMemoryAddress()) {
                buf.transferTo(0, memory.newPointer(data.memoryAddress(), n), 0, n);
                data.writerIndex(n);
            } else {
                byte[] copy = new byte[n];
                buf.get(0, copy, 0, n);
                data.writeBytes(copy);
            }
        } catch (RuntimeException e) {
            data.release();
            throw e;
        }
        try {
            await(device.write(offset, data, false)); // write() owns data from here on
            return n;
        } catch (DstException e) {
            return failed("write", offset, n, e);
        }
    }

    /** The loop device's cache flush arrives here: make every acknowledged write durable on the server. */
    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        if (readOnly) return 0;
        try {
            await(device.flush());
            return 0;
        } catch (DstException e) {
            return failed("flush", 0, 0, e);
        }
    }

    /** close(2) of a descriptor: nothing to do, durability is fsync's job. */
    @Override
    public int flush(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return 0;
    }

    /** Discard and zeroing, as the loop device sends them; plain allocation is a no-op on a disk. */
    @Override
    public int fallocate(String path, int mode, long offset, long length, FuseFileInfo fi) {
        try {
            return doFallocate(path, mode, offset, length);
        } catch (RuntimeException e) {
            return bug("fallocate", e);
        }
    }

    private int doFallocate(String path, int mode, long offset, long length) {
        if (!filePath.equals(path)) return -ENOENT;
        if (offset < 0 || length <= 0) return -Errno.EINVAL;
        if (length > size - offset) return (mode & FALLOC_FL_KEEP_SIZE) != 0 ? -Errno.EINVAL : -Errno.EFBIG;
        int op = mode & ~FALLOC_FL_KEEP_SIZE;
        if (op == 0) return 0;
        if (readOnly) return -Errno.EROFS;
        try {
            if (op == FALLOC_FL_PUNCH_HOLE && (mode & FALLOC_FL_KEEP_SIZE) != 0) {
                await(device.trim(offset, length));
            } else if (op == FALLOC_FL_ZERO_RANGE) {
                await(device.writeZeroes(offset, length));
            } else {
                return -Errno.EOPNOTSUPP;
            }
            return 0;
        } catch (DstException e) {
            return failed("fallocate(0x" + Integer.toHexString(mode) + ")", offset, length, e);
        }
    }

    /** Tells jnr-fuse the mount is gone, so its shutdown hook does not lazily unmount it a second time. */
    void forgetMount() {
        mounted.set(false);
    }

    private static <T> T await(CompletableFuture<T> f) throws DstException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof DstException d) throw d;
            throw new DstException(DstException.errnoOf(c), String.valueOf(c), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DstException(EINTR, "interrupted");
        }
    }

    /** A Java exception must not unwind into libfuse's C stack: the request fails with EIO instead. */
    private static int bug(String what, RuntimeException e) {
        LOG.log(Level.SEVERE, what + " failed unexpectedly", e);
        return -Errno.EIO;
    }

    private static int failed(String what, long offset, long length, DstException e) {
        LOG.log(e.errno() == Errno.EROFS ? Level.FINE : Level.WARNING, what + " " + offset + "+" + length + ": " + e.getMessage());
        return -e.errno();
    }
}
