package dst.client.frontend.fuse;

import dst.client.core.BlockDevice;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.Opcode;
import dst.protocol.ExportName;
import dst.runtime.buffers.Buffers;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import static dst.client.frontend.fuse.FuseKernelAbi.*;

/**
 * Answers the kernel's FUSE requests for a file system holding exactly one file, {@code /EXPORT}, whose bytes
 * are the remote export. The loop device on top of the file turns block requests into these requests:
 * <pre>
 *   READ / WRITE         -> read / write           (asynchronous: many in flight, FUSE_ASYNC_DIO)
 *   FSYNC                -> flush                  (loop's cache flush: the durability point)
 *   FALLOCATE 0x3        -> trim                   (punch hole: discard; must read back zeros)
 *   FALLOCATE 0x10/0x11  -> writeZeroes            (zero range)
 * </pre>
 * Metadata requests are answered at once from the immutable geometry. A request is parsed completely (a write's
 * data copied out) before {@link #handle} returns, because the caller reuses its buffer for the next one; the
 * reply to a data request is sent by whichever thread completes the BlockDevice future.
 */
final class ExportFile {
    private static final Logger LOG = Logger.getLogger(ExportFile.class.getName());
    static final int MAX_WRITE = 1 << 20;
    /**
     * From this size on a write's data stays in the (1 MiB) buffer the kernel wrote it to instead of being copied:
     * large enough that a write in flight never pins more than twice its size.
     */
    private static final int ZERO_COPY_WRITE = MAX_WRITE / 2;
    private static final long FILE_ID = 2;
    private static final long CACHE_SECONDS = 3600; // nothing about the tree changes; a new size is notified (grow)
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int DT_DIR = 4;
    private static final int DT_REG = 8;
    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int FALLOC_FL_ZERO_RANGE = 0x10;
    private static final long STATFS_BLOCK = 4096;

    private final BlockDevice device;
    private final String name;
    private final byte[] nameBytes;
    private volatile long size;
    private final int blockSize;
    private final boolean readOnly;
    private final long mountTime = System.currentTimeMillis() / 1000;
    private final FuseReplier out;
    private final CompletableFuture<Void> initialized = new CompletableFuture<>();
    /** Data requests handed to the BlockDevice and not yet answered: a planned handover waits for 0. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean kernelResends;

    /** A file for a new mount: the kernel's first request is INIT. */
    ExportFile(BlockDevice device, FuseReplier out) {
        String fileName = device.info().name();
        ExportName.check("export name", fileName); // it is the file's name: no '/', never "." or ".."
        this.device = device;
        this.name = fileName;
        this.nameBytes = fileName.getBytes(StandardCharsets.UTF_8);
        this.size = device.info().size();
        this.blockSize = device.info().blockSize();
        this.readOnly = device.info().readOnly();
        this.out = out;
    }

    /**
     * A file for a mount another process initialized and served: no INIT comes (the kernel negotiated once per
     * connection), so the answer given then is taken as given; {@code kernelResends} is what that INIT said.
     */
    ExportFile(BlockDevice device, FuseReplier out, boolean kernelResends) {
        this(device, out);
        this.kernelResends = kernelResends;
        initialized.complete(null);
    }

    /** True when the kernel said in INIT that it takes FUSE_NOTIFY_RESEND (FUSE_HAS_RESEND, Linux 6.9+). */
    boolean kernelResends() {
        return kernelResends;
    }

    int inFlight() {
        return inFlight.get();
    }

    String name() {
        return name;
    }

    /**
     * The export grew to {@code newSize}: the file takes it, and the kernel is told its cached attributes are stale
     * (the next stat of the file fetches the new size).
     */
    void grow(long newSize) {
        if (newSize <= size) return;
        size = newSize;
        out.invalidateAttributes(FILE_ID);
    }

    /** Completes once the kernel's INIT has been answered: from then on the mount takes requests. */
    CompletableFuture<Void> initialized() {
        return initialized;
    }

    /**
     * Handles one request: {@code req} holds it at 0..length. A large write keeps a slice of {@code req} (retained)
     * instead of copying its data, so the caller checks {@code refCnt()} before reusing the buffer.
     */
    void handle(ByteBuf req, int length) {
        if (length < IN_HEADER_SIZE || req.getIntLE(IN_LEN) != length) {
            LOG.severe("the kernel sent a FUSE request of " + length + " bytes that does not parse; ignored");
            return;
        }
        int opcode = req.getIntLE(IN_OPCODE);
        long unique = req.getLongLE(IN_UNIQUE);
        long node = req.getLongLE(IN_NODEID);
        try {
            switch (opcode) {
                case FUSE_INIT -> init(req, unique);
                case FUSE_LOOKUP -> lookup(req, length, unique, node);
                case FUSE_FORGET, FUSE_BATCH_FORGET, FUSE_INTERRUPT -> { } // no reply: nothing is forgotten or cancelled
                case FUSE_GETATTR -> attr(unique, node);
                case FUSE_SETATTR -> setattr(req, unique, node);
                case FUSE_OPEN -> open(req, unique, node);
                case FUSE_OPENDIR -> opendir(unique, node);
                case FUSE_READDIR -> readdir(req, unique, node);
                case FUSE_READ -> read(req, unique);
                case FUSE_WRITE -> write(req, length, unique);
                case FUSE_FSYNC -> fsync(unique);
                case FUSE_FALLOCATE -> fallocate(req, unique);
                case FUSE_STATFS -> statfs(unique);
                case FUSE_RELEASE, FUSE_RELEASEDIR, FUSE_FLUSH, FUSE_FSYNCDIR, FUSE_ACCESS, FUSE_DESTROY -> out.send(out.begin(unique, 0));
                default -> out.error(unique, Errno.ENOSYS); // the kernel remembers ENOSYS and stops asking (xattrs, locks, ...)
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "FUSE request " + opcode + " failed unexpectedly", e);
            out.error(unique, Errno.EIO);
        }
    }

    private void init(ByteBuf req, long unique) {
        int major = req.getIntLE(IN_HEADER_SIZE + INIT_IN_MAJOR);
        int minor = req.getIntLE(IN_HEADER_SIZE + INIT_IN_MINOR);
        int flags = req.getIntLE(IN_HEADER_SIZE + INIT_IN_FLAGS);
        if (major != FUSE_KERNEL_VERSION || minor < 28) {
            LOG.severe("the kernel speaks FUSE " + major + "." + minor + "; dst needs 7.28 or newer");
            out.error(unique, Errno.EPROTO);
            initialized.completeExceptionally(new DstException(Errno.EPROTO, "kernel FUSE protocol " + major + "." + minor + " is too old (need 7.28)"));
            return;
        }
        kernelResends = (flags & FUSE_INIT_EXT) != 0 && (req.getIntLE(IN_HEADER_SIZE + INIT_IN_FLAGS2) & FUSE_HAS_RESEND_FLAGS2) != 0;
        int want = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_ASYNC_DIO | FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES;
        ByteBuf b = out.begin(unique, INIT_OUT_SIZE);
        b.writeIntLE(FUSE_KERNEL_VERSION)
                .writeIntLE(Math.min(minor, FUSE_KERNEL_MINOR_VERSION))
                .writeIntLE(req.getIntLE(IN_HEADER_SIZE + INIT_IN_MAX_READAHEAD))
                .writeIntLE(flags & want)
                .writeShortLE(128)       // max_background: async direct I/O requests in flight
                .writeShortLE(96)        // congestion_threshold
                .writeIntLE(MAX_WRITE)   // max_write
                .writeIntLE(1)           // time_gran
                .writeShortLE(MAX_WRITE / 4096) // max_pages: 1 MiB requests
                .writeZero(INIT_OUT_SIZE - 30); // 30 bytes so far: map_alignment, flags2 and the rest stay 0
        out.send(b);
        initialized.complete(null);
    }

    private void lookup(ByteBuf req, int length, long unique, long parent) {
        if (parent != FUSE_ROOT_ID) {
            out.error(unique, Errno.ENOTDIR);
            return;
        }
        int nameLength = length - IN_HEADER_SIZE - 1; // NUL-terminated
        boolean match = nameLength == nameBytes.length;
        for (int i = 0; match && i < nameLength; i++) match = req.getByte(IN_HEADER_SIZE + i) == nameBytes[i];
        if (!match) {
            out.error(unique, Errno.ENOENT);
            return;
        }
        ByteBuf b = out.begin(unique, ENTRY_OUT_SIZE);
        b.writeLongLE(FILE_ID).writeLongLE(0).writeLongLE(CACHE_SECONDS).writeLongLE(CACHE_SECONDS).writeIntLE(0).writeIntLE(0);
        putAttr(b, FILE_ID);
        out.send(b);
    }

    private void attr(long unique, long node) {
        if (node != FUSE_ROOT_ID && node != FILE_ID) {
            out.error(unique, Errno.ENOENT);
            return;
        }
        ByteBuf b = out.begin(unique, ATTR_OUT_SIZE);
        b.writeLongLE(CACHE_SECONDS).writeIntLE(0).writeIntLE(0);
        putAttr(b, node);
        out.send(b);
    }

    /** The size is the export's: only a no-op "truncate" to the same size is allowed; modes and times are ignored. */
    private void setattr(ByteBuf req, long unique, long node) {
        int valid = req.getIntLE(IN_HEADER_SIZE + SETATTR_IN_VALID);
        if ((valid & FATTR_SIZE) != 0 && node == FILE_ID) {
            if (readOnly) {
                out.error(unique, Errno.EROFS);
                return;
            }
            if (req.getLongLE(IN_HEADER_SIZE + SETATTR_IN_SIZE) != size) {
                out.error(unique, Errno.EINVAL);
                return;
            }
        }
        attr(unique, node);
    }

    private void putAttr(ByteBuf b, long node) {
        boolean dir = node == FUSE_ROOT_ID;
        long bytes = dir ? 0 : size;
        b.writeLongLE(node).writeLongLE(bytes).writeLongLE((bytes + 511) / 512)
                .writeLongLE(mountTime).writeLongLE(mountTime).writeLongLE(mountTime)
                .writeIntLE(0).writeIntLE(0).writeIntLE(0)
                .writeIntLE(dir ? S_IFDIR | 0755 : S_IFREG | (readOnly ? 0444 : 0644))
                .writeIntLE(dir ? 2 : 1)
                .writeIntLE(0).writeIntLE(0).writeIntLE(0) // uid, gid, rdev
                .writeIntLE(dir ? 4096 : blockSize)
                .writeIntLE(0);
    }

    private void open(ByteBuf req, long unique, long node) {
        if (node == FUSE_ROOT_ID) {
            out.error(unique, Errno.EISDIR);
            return;
        }
        if (node != FILE_ID) {
            out.error(unique, Errno.ENOENT);
            return;
        }
        if (readOnly && (req.getIntLE(IN_HEADER_SIZE + OPEN_IN_FLAGS) & O_ACCMODE) != O_RDONLY) {
            out.error(unique, Errno.EROFS);
            return;
        }
        ByteBuf b = out.begin(unique, OPEN_OUT_SIZE);
        b.writeLongLE(0).writeIntLE(FOPEN_PARALLEL_DIRECT_WRITES).writeIntLE(0);
        out.send(b);
    }

    private void opendir(long unique, long node) {
        if (node != FUSE_ROOT_ID) {
            out.error(unique, Errno.ENOTDIR);
            return;
        }
        ByteBuf b = out.begin(unique, OPEN_OUT_SIZE);
        b.writeZero(OPEN_OUT_SIZE);
        out.send(b);
    }

    /** ".", ".." and the file; the offset of an entry is its index + 1, so a listing can resume anywhere. */
    private void readdir(ByteBuf req, long unique, long node) {
        if (node != FUSE_ROOT_ID) {
            out.error(unique, Errno.ENOTDIR);
            return;
        }
        long offset = req.getLongLE(IN_HEADER_SIZE + RW_IN_OFFSET);
        int max = req.getIntLE(IN_HEADER_SIZE + RW_IN_SIZE);
        byte[][] names = {{'.'}, {'.', '.'}, nameBytes};
        long[] ids = {FUSE_ROOT_ID, FUSE_ROOT_ID, FILE_ID};
        ByteBuf b = out.begin(unique, max);
        for (int i = (int) Math.max(0, offset); i < names.length; i++) {
            int entry = (DIRENT_HEADER_SIZE + names[i].length + 7) & ~7;
            if (b.readableBytes() - OUT_HEADER_SIZE + entry > max) break;
            b.writeLongLE(ids[i]).writeLongLE(i + 1).writeIntLE(names[i].length).writeIntLE(i < 2 ? DT_DIR : DT_REG)
                    .writeBytes(names[i]).writeZero(entry - DIRENT_HEADER_SIZE - names[i].length);
        }
        out.send(b);
    }

    private void statfs(long unique) {
        ByteBuf b = out.begin(unique, STATFS_OUT_SIZE);
        // bsize becomes the loop device's discard granularity.
        b.writeLongLE(size / STATFS_BLOCK).writeLongLE(0).writeLongLE(0).writeLongLE(1).writeLongLE(0)
                .writeIntLE((int) STATFS_BLOCK).writeIntLE(255).writeIntLE((int) STATFS_BLOCK).writeIntLE(0)
                .writeZero(24);
        out.send(b);
    }

    private void read(ByteBuf req, long unique) {
        long offset = req.getLongLE(IN_HEADER_SIZE + RW_IN_OFFSET);
        int length = req.getIntLE(IN_HEADER_SIZE + RW_IN_SIZE);
        if (offset < 0 || length < 0) {
            out.error(unique, Errno.EINVAL);
            return;
        }
        if (offset >= size || length == 0) {
            out.send(out.begin(unique, 0)); // end of file
            return;
        }
        int n = (int) Math.min(length, size - offset);
        inFlight.incrementAndGet();
        device.read(offset, n).whenComplete((data, failure) -> {
            if (failure != null) {
                failed(unique, "read", offset, n, failure);
            } else {
                out.send(out.begin(unique, 0), data);
            }
            inFlight.decrementAndGet();
        });
    }

    private void write(ByteBuf req, int length, long unique) {
        long offset = req.getLongLE(IN_HEADER_SIZE + RW_IN_OFFSET);
        int n = req.getIntLE(IN_HEADER_SIZE + RW_IN_SIZE);
        if (n < 0 || length != IN_HEADER_SIZE + WRITE_IN_SIZE + n) {
            out.error(unique, Errno.EINVAL); // the kernel's frame disagrees with itself
            return;
        }
        DstException refusal = device.info().refusal(Opcode.WRITE, offset, n);
        if (refusal != null) {
            out.error(unique, refusal.errno());
            return;
        }
        ByteBuf data;
        if (n >= ZERO_COPY_WRITE) {
            data = req.retainedSlice(IN_HEADER_SIZE + WRITE_IN_SIZE, n);
        } else {
            data = Buffers.ALLOCATOR.directBuffer(n, n);
            data.writeBytes(req, IN_HEADER_SIZE + WRITE_IN_SIZE, n);
        }
        inFlight.incrementAndGet();
        device.write(offset, data, false).whenComplete((v, failure) -> { // write() owns data from here on
            if (failure != null) {
                failed(unique, "write", offset, n, failure);
            } else {
                ByteBuf b = out.begin(unique, WRITE_OUT_SIZE);
                b.writeIntLE(n).writeIntLE(0);
                out.send(b);
            }
            inFlight.decrementAndGet();
        });
    }

    /** The loop device's cache flush arrives here: make every acknowledged write durable on the server. */
    private void fsync(long unique) {
        if (readOnly) {
            out.send(out.begin(unique, 0));
            return;
        }
        inFlight.incrementAndGet();
        device.flush().whenComplete((v, failure) -> done(unique, "flush", 0, 0, failure));
    }

    /** Discard and zeroing, as the loop device sends them; plain allocation is a no-op on a disk. */
    private void fallocate(ByteBuf req, long unique) {
        long offset = req.getLongLE(IN_HEADER_SIZE + FALLOCATE_IN_OFFSET);
        long length = req.getLongLE(IN_HEADER_SIZE + FALLOCATE_IN_LENGTH);
        int mode = req.getIntLE(IN_HEADER_SIZE + FALLOCATE_IN_MODE);
        int op = mode & ~FALLOC_FL_KEEP_SIZE;
        boolean punch = op == FALLOC_FL_PUNCH_HOLE && (mode & FALLOC_FL_KEEP_SIZE) != 0;
        if (!punch && op != FALLOC_FL_ZERO_RANGE && op != 0) {
            out.error(unique, Errno.EOPNOTSUPP);
            return;
        }
        if (length <= 0) {
            out.error(unique, Errno.EINVAL); // fallocate(2): len must be positive
            return;
        }
        // Allocation and zeroing store (a disk cannot grow: ENOSPC past its end); a punched hole is a trim.
        DstException refusal = device.info().refusal(punch ? Opcode.TRIM : Opcode.WRITE_ZEROES, offset, length);
        if (refusal != null) {
            out.error(unique, refusal.errno());
            return;
        }
        inFlight.incrementAndGet();
        CompletableFuture<Void> f = op == 0 ? CompletableFuture.completedFuture(null) // plain allocation: a no-op on a disk
                : punch ? device.trim(offset, length) : device.writeZeroes(offset, length);
        f.whenComplete((v, failure) -> done(unique, "fallocate(0x" + Integer.toHexString(mode) + ")", offset, length, failure));
    }

    /** Answers a counted request ({@link #inFlight}) without data. */
    private void done(long unique, String what, long offset, long length, Throwable failure) {
        if (failure != null) {
            failed(unique, what, offset, length, failure);
        } else {
            out.send(out.begin(unique, 0));
        }
        inFlight.decrementAndGet();
    }

    private void failed(long unique, String what, long offset, long length, Throwable failure) {
        int errno = DstException.errnoOf(failure);
        LOG.log(errno == Errno.EROFS || errno == Errno.EOPNOTSUPP ? Level.FINE : Level.WARNING,
                what + " " + offset + "+" + length + ": " + failure.getMessage());
        out.error(unique, errno);
    }
}
