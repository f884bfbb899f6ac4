package dst.server.backend;

import dst.nativebridge.NativeException;
import dst.nativebridge.NativeFile;
import dst.protocol.DstException;
import dst.protocol.Errno;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A regular file or a block device, with positional {@link FileChannel} I/O (thread-safe, no shared
 * position). Discards punch holes so a sparse image file shrinks; zeroing uses ZERO_RANGE.
 */
public class FileBackend implements Backend {
    private static final int ZERO_CHUNK = 1024 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private final Path path;
    private final FileChannel channel;
    private final NativeFile nativeFile;
    private volatile long size;
    private final String kind;
    private volatile boolean punchSupported = true;
    private volatile boolean zeroRangeSupported = true;
    private volatile boolean seekSupported = true;
    private volatile boolean readNowSupported = true;

    protected FileBackend(String kind, Path path, FileChannel channel, NativeFile nativeFile, long size) {
        this.kind = kind;
        this.path = path;
        this.channel = channel;
        this.nativeFile = nativeFile;
        this.size = size;
    }

    /**
     * Opens a regular file, creating it (sparse) with {@code createSize} bytes when it is missing.
     * An existing file keeps its size unless {@code createSize} is larger, then it is extended.
     */
    public static FileBackend openFile(Path path, long createSize, boolean readOnly) throws IOException {
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new DstException(Errno.EINVAL, path + " is not a regular file");
        }
        if (!Files.exists(path)) {
            if (readOnly) throw new DstException(Errno.ENOENT, path + " does not exist (read-only export)");
            if (createSize <= 0) throw new DstException(Errno.EINVAL, path + " does not exist; give size=SIZE to create it");
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
        }
        Set<StandardOpenOption> opts = readOnly ? EnumSet.of(StandardOpenOption.READ)
                : EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        FileChannel ch = FileChannel.open(path, opts);
        try {
            long size = ch.size();
            if (!readOnly && createSize > size) {
                try (var raf = new java.io.RandomAccessFile(path.toFile(), "rw")) {
                    raf.setLength(createSize); // sparse: no blocks are allocated
                }
                size = createSize;
            }
            if (size == 0) throw new DstException(Errno.EINVAL, path + " is empty; give size=SIZE");
            return new FileBackend("file", path, ch, NativeFile.open(path, !readOnly), size);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public long size() {
        return size;
    }

    /** A regular file: ftruncate (sparse when growing). A block device's size is the device's: refused. */
    @Override
    public synchronized void resize(long newSize) throws IOException {
        if (!kind.equals("file")) {
            throw new DstException(Errno.EOPNOTSUPP, path + " is a block device: its size is the device's (grow it, e.g. lvextend, "
                    + "and restart the server)");
        }
        if (newSize < size) channel.force(false);
        try (var raf = new java.io.RandomAccessFile(path.toFile(), "rw")) {
            raf.setLength(newSize); // ftruncate: growing is sparse
        }
        size = newSize;
    }

    @Override
    public boolean canTrim() {
        return true;
    }

    /** One descriptor, one page cache: fdatasync covers the writes of every connection. */
    @Override
    public boolean canMultiConn() {
        return true;
    }

    /**
     * fallocate ZERO_RANGE / PUNCH_HOLE only change metadata on a regular file, until the filesystem said it cannot
     * do them; on a block device the kernel may write the zeros itself, so it is not promised fast there.
     */
    @Override
    public boolean zeroesFast() {
        return kind.equals("file") && zeroRangeSupported && punchSupported;
    }

    /** From lseek SEEK_DATA/SEEK_HOLE; all data where the filesystem cannot tell (or for a block device). */
    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        if (!seekSupported) return Backend.super.extents(offset, length);
        List<Extent> out = new ArrayList<>();
        long end = offset + length;
        long at = offset;
        try {
            while (at < end && out.size() < MAX_EXTENTS) {
                long data = nativeFile.seekData(at);
                if (data < 0 || data >= end) { // only holes up to the end of the range
                    out.add(new Extent(end - at, true));
                    break;
                }
                if (data > at) {
                    out.add(new Extent(data - at, true));
                    at = data;
                    if (out.size() == MAX_EXTENTS) break;
                }
                long hole = Math.min(end, Math.max(nativeFile.seekHole(at), at + 1));
                out.add(new Extent(hole - at, false));
                at = hole;
            }
        } catch (NativeException e) {
            if (e.errno() != Errno.EINVAL && e.errno() != NativeFile.EOPNOTSUPP) throw e;
            seekSupported = false; // a filesystem without SEEK_DATA
            return Backend.super.extents(offset, length);
        }
        return out;
    }

    @Override
    public String describe() {
        return kind + ":" + path;
    }

    @Override
    public void read(long offset, ByteBuf dst, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = dst.writeBytes(channel, offset + done, length - done);
            if (n < 0) { // past the end of a file shorter than the export: holes read as zeros
                dst.writeZero(length - done);
                return;
            }
            done += n;
        }
    }

    /** preadv2 RWF_NOWAIT: the page cache's bytes (and holes) without waiting; a partial answer is not kept. */
    @Override
    public boolean readNow(long offset, ByteBuf dst, int length) throws IOException {
        if (!readNowSupported) return false;
        dst.ensureWritable(length);
        int n;
        try {
            n = nativeFile.readIfCached(dst.nioBuffer(dst.writerIndex(), length), offset);
        } catch (NativeException e) {
            if (e.errno() != NativeFile.EOPNOTSUPP) throw e;
            readNowSupported = false; // a filesystem that cannot read without waiting
            return false;
        }
        if (n != length) return false; // partly cached, or past the end of the file: read() does it all
        dst.writerIndex(dst.writerIndex() + length);
        return true;
    }

    @Override
    public void write(long offset, ByteBuf src) throws IOException {
        int length = src.readableBytes();
        int done = 0;
        while (done < length) {
            done += src.getBytes(src.readerIndex() + done, channel, offset + done, length - done);
        }
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        if (length == 0) return; // fallocate refuses an empty range (EINVAL)
        if (!punchSupported) {
            writeZeroes(offset, length);
            return;
        }
        try {
            nativeFile.punchHole(offset, length);
        } catch (NativeException e) {
            if (e.errno() != NativeFile.EOPNOTSUPP) throw e;
            punchSupported = false; // e.g. a block device without discard: zeroing keeps the promise
            writeZeroes(offset, length);
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        if (length == 0) return; // fallocate refuses an empty range (EINVAL)
        if (zeroRangeSupported) {
            try {
                nativeFile.zeroRange(offset, length);
                return;
            } catch (NativeException e) {
                if (e.errno() != NativeFile.EOPNOTSUPP) throw e;
                zeroRangeSupported = false; // write the zeros from now on
            }
        }
        long done = 0;
        while (done < length) {
            int n = (int) Math.min(ZERO_CHUNK, length - done);
            ByteBuffer z = ZEROS.duplicate().limit(n);
            while (z.hasRemaining()) {
                done += channel.write(z, offset + done);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.force(false);
        } finally {
            channel.close();
            nativeFile.close();
        }
    }
}
