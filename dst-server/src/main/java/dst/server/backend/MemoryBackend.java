package dst.server.backend;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Off-heap memory in 1 MiB chunks allocated on first write, so a {@code mem:64G} export costs only
 * what is written, and exports over 2 GiB work. Trimming a whole chunk frees it. Nothing here is
 * durable: flush is a no-op, and the content dies with the process.
 */
public final class MemoryBackend implements Backend {
    static final int CHUNK_SHIFT = 20;
    static final int CHUNK = 1 << CHUNK_SHIFT;

    private volatile long size;
    /** Replaced (under the monitor) when the export is resized; a chunk is allocated or dropped whole only under the monitor. */
    private volatile AtomicReferenceArray<ByteBuffer> chunks;

    public MemoryBackend(long size) {
        if (size <= 0) throw new IllegalArgumentException("memory export size must be positive: " + size);
        long count = (size + CHUNK - 1) >>> CHUNK_SHIFT;
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("memory export too large: " + size);
        this.size = size;
        this.chunks = new AtomicReferenceArray<>((int) count);
    }

    @Override
    public long size() {
        return size;
    }

    /**
     * A larger (or smaller) chunk table with the same chunks: allocation and whole-chunk drops take the monitor too,
     * so none is lost between the copy and the swap; writes into existing chunks go on meanwhile (the same buffers).
     */
    @Override
    public synchronized void resize(long newSize) {
        long count = (newSize + CHUNK - 1) >>> CHUNK_SHIFT;
        if (newSize <= 0 || count > Integer.MAX_VALUE) throw new IllegalArgumentException("bad memory export size " + newSize);
        AtomicReferenceArray<ByteBuffer> old = chunks;
        AtomicReferenceArray<ByteBuffer> grown = new AtomicReferenceArray<>((int) count);
        for (int i = 0; i < Math.min(old.length(), grown.length()); i++) grown.set(i, old.get(i));
        if (newSize < size && (newSize & (CHUNK - 1)) != 0 && grown.get((int) (count - 1)) != null) {
            ByteBuffer last = grown.get((int) (count - 1)).duplicate(); // the cut-off tail must read as zeros if it grows again
            for (int i = (int) (newSize & (CHUNK - 1)); i < CHUNK; i++) last.put(i, (byte) 0);
        }
        chunks = grown;
        size = newSize;
    }

    @Override
    public boolean canTrim() {
        return true;
    }

    @Override
    public String describe() {
        return "mem:" + size;
    }

    /** Memory copies only: safe to run on the event loop. */
    @Override
    public boolean neverBlocks() {
        return true;
    }

    /** No cache: every connection reads and writes the same memory at once. */
    @Override
    public boolean canMultiConn() {
        return true;
    }

    /** Zeroing whole chunks frees them; the rest is a memory fill, no slower than the write it replaces. */
    @Override
    public boolean zeroesFast() {
        return true;
    }

    /** A chunk never written (or trimmed whole) is a hole; a written one is data. */
    @Override
    public List<Extent> extents(long offset, long length) {
        List<Extent> out = new ArrayList<>();
        long end = offset + length;
        long at = offset;
        while (at < end && out.size() < MAX_EXTENTS) {
            boolean hole = chunks.get((int) (at >>> CHUNK_SHIFT)) == null;
            long runEnd = at;
            while (runEnd < end && (chunks.get((int) (runEnd >>> CHUNK_SHIFT)) == null) == hole) {
                runEnd = Math.min(end, ((runEnd >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
            }
            out.add(new Extent(runEnd - at, hole));
            at = runEnd;
        }
        return out;
    }

    @Override
    public void read(long offset, ByteBuf dst, int length) {
        while (length > 0) {
            int index = (int) (offset >>> CHUNK_SHIFT);
            int within = (int) (offset & (CHUNK - 1));
            int n = Math.min(length, CHUNK - within);
            ByteBuffer chunk = chunks.get(index);
            if (chunk == null) {
                dst.writeZero(n);
            } else {
                dst.writeBytes(chunk.duplicate().position(within).limit(within + n));
            }
            offset += n;
            length -= n;
        }
    }

    @Override
    public void write(long offset, ByteBuf src) {
        int at = src.readerIndex();
        int length = src.readableBytes();
        while (length > 0) {
            int within = (int) (offset & (CHUNK - 1));
            int n = Math.min(length, CHUNK - within);
            ByteBuffer chunk = chunkFor((int) (offset >>> CHUNK_SHIFT));
            src.getBytes(at, chunk.duplicate().position(within).limit(within + n));
            offset += n;
            at += n;
            length -= n;
        }
    }

    private ByteBuffer chunkFor(int index) {
        ByteBuffer chunk = chunks.get(index);
        return chunk != null ? chunk : allocate(index);
    }

    private synchronized ByteBuffer allocate(int index) {
        AtomicReferenceArray<ByteBuffer> table = chunks;
        ByteBuffer chunk = table.get(index);
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(CHUNK);
            table.set(index, chunk);
        }
        return chunk;
    }

    private synchronized void drop(int index) {
        chunks.set(index, null);
    }

    @Override
    public void flush() {
    }

    @Override
    public void trim(long offset, long length) {
        writeZeroes(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) {
        while (length > 0) {
            int index = (int) (offset >>> CHUNK_SHIFT);
            int within = (int) (offset & (CHUNK - 1));
            int n = (int) Math.min(length, CHUNK - within);
            if (n == CHUNK) {
                drop(index); // whole chunk: give the memory back
            } else {
                ByteBuffer chunk = chunks.get(index);
                if (chunk != null) {
                    ByteBuffer d = chunk.duplicate();
                    for (int i = within; i < within + n; i++) d.put(i, (byte) 0);
                }
            }
            offset += n;
            length -= n;
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < chunks.length(); i++) chunks.set(i, null);
    }
}
