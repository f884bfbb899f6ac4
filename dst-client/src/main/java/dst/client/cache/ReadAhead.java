package dst.client.cache;

import dst.client.core.BlockDevice;
import dst.client.core.ForwardingBlockDevice;
import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;

/**
 * Read-ahead for one sequential reader, as a disk's read cache does it: after two reads in a row that continue
 * near where the stream got to (concurrent reads arrive slightly out of order), the next {@code window} bytes are
 * requested in {@code chunk}-sized pieces, all in flight at once, and later reads are answered from them. This
 * turns a reader that has one 128 KiB request at a time in flight into a pipelined stream.
 *
 * <p>Coherence: every write, trim or zeroing first drops the prefetched chunks it overlaps (finished or still
 * in flight), so a read never returns data older than a write completed before it. Prefetches go through the
 * device below, so with a {@link WriteBackCache} underneath they see cached writes too.
 *
 * <p>Memory: at most {@code window} bytes of prefetched data. Threading: one lock around the chunk list.
 */
public final class ReadAhead extends ForwardingBlockDevice {
    private static final class Chunk {
        final long offset;
        final int length;
        final CompletableFuture<ByteBuf> data;
        int readers;      // reads answered from this chunk whose slice is not taken yet
        long consumed;    // bytes of it handed to reads: all of them, and the chunk has done its job
        boolean dropped;  // out of the list: the last reader (or nobody) releases the data

        Chunk(long offset, int length, CompletableFuture<ByteBuf> data) {
            this.offset = offset;
            this.length = length;
            this.data = data;
        }

        boolean covers(long from, int n) {
            return from >= offset && from + n <= offset + length;
        }

        boolean overlaps(long from, long n) {
            return from < offset + length && offset < from + n;
        }

    }

    /** Takes {@code c} out of use; its data is released once no reader needs it (also when it arrives later). */
    private static void drop(Chunk c) {
        c.dropped = true;
        if (c.readers == 0) c.data.thenAccept(ByteBuf::release);
    }

    private void doneReading(Chunk c, ByteBuf data) {
        synchronized (this) {
            c.readers--;
            if (!c.dropped || c.readers > 0) return;
        }
        if (data != null) data.release();
    }

    /**
     * A read counts as part of the stream when it starts within this many of its own lengths of the stream's
     * position: the queue depth a sequential reader may have in flight. Scaled by the read's size so that small
     * random reads almost never look sequential (a 4 KiB read must land within 64 KiB).
     */
    private static final int REORDER_DEPTH = 16;

    private final int chunk;
    private final int maxChunks;

    // Guarded by `this`.
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private long nextExpected = -1;
    private int streak;
    private long prefetchedUpTo;

    /** @param window bytes to read ahead; @param chunk size of each read-ahead request */
    public ReadAhead(BlockDevice disk, int window, int chunk) {
        super(disk);
        if (chunk <= 0 || window < chunk) throw new IllegalArgumentException("read-ahead window " + window + " / chunk " + chunk);
        this.chunk = Math.min(chunk, disk.info().maxRequest());
        this.maxChunks = window / this.chunk;
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        Chunk hit = null;
        synchronized (this) {
            // Several reads of one stream are in flight at once (loop at queue depth 8, FUSE readers in parallel), so
            // they arrive a little out of order: a read near where the stream is counts as part of it. Only a real
            // jump drops the prefetched chunks; taking every reordered read for one threw away the chunks in flight
            // and read everything twice (1 MiB reads at QD8: 1.8 -> 1.2 GB/s with read-ahead on).
            long reach = (long) REORDER_DEPTH * length;
            boolean inStream = nextExpected >= 0 && Math.abs(offset - nextExpected) <= reach;
            streak = inStream ? streak + 1 : 0;
            nextExpected = inStream ? Math.max(nextExpected, offset + length) : offset + length;
            long behind = offset - reach; // a straggler of the stream reads no further back
            for (Iterator<Chunk> it = chunks.iterator(); it.hasNext(); ) { // skipped, or the reader went elsewhere
                Chunk c = it.next();
                if (!inStream || c.offset + c.length <= behind) {
                    it.remove();
                    drop(c);
                }
            }
            for (Iterator<Chunk> it = chunks.iterator(); it.hasNext(); ) {
                Chunk c = it.next();
                if (c.covers(offset, length)) {
                    hit = c;
                    c.readers++;
                    c.consumed += length;
                    if (c.consumed >= c.length) { // read to the end: make room for the next chunk
                        it.remove();
                        drop(c);
                    }
                    break;
                }
            }
            if (streak >= 2) prefetch(nextExpected);
        }
        if (hit == null) return disk.read(offset, length);
        Chunk c = hit;
        return c.data.handle((buf, err) -> {
            if (err != null) { // the prefetch failed: try this read on its own
                doneReading(c, null);
                return disk.read(offset, length);
            }
            ByteBuf slice = buf.retainedSlice(buf.readerIndex() + (int) (offset - c.offset), length);
            doneReading(c, buf);
            return CompletableFuture.completedFuture(slice);
        }).thenCompose(f -> f);
    }

    /** Keeps up to maxChunks chunks in flight ahead of {@code from}. Called under the lock. */
    private void prefetch(long from) {
        long size = disk.info().size();
        long next = Math.max(from, chunks.isEmpty() ? from : prefetchedUpTo);
        while (chunks.size() < maxChunks && next < size) {
            int n = (int) Math.min(chunk, size - next);
            chunks.addLast(new Chunk(next, n, disk.read(next, n)));
            next += n;
        }
        prefetchedUpTo = next;
    }

    private synchronized void invalidate(long offset, long length) {
        for (Iterator<Chunk> it = chunks.iterator(); it.hasNext(); ) {
            Chunk c = it.next();
            if (c.overlaps(offset, length)) {
                it.remove();
                drop(c);
            }
        }
        if (chunks.isEmpty()) prefetchedUpTo = 0;
    }

    /*
     * Changes invalidate before they are submitted (no later read may see older prefetched data) and again before
     * they complete (drops what a concurrent read prefetched while the change was under way).
     */
    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        invalidate(offset, length);
        return disk.write(offset, data, fua).whenComplete((v, e) -> invalidate(offset, length));
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length) {
        invalidate(offset, length);
        return disk.trim(offset, length).whenComplete((v, e) -> invalidate(offset, length));
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length) {
        invalidate(offset, length);
        return disk.writeZeroes(offset, length).whenComplete((v, e) -> invalidate(offset, length));
    }

    @Override
    public void close() {
        synchronized (this) {
            chunks.forEach(ReadAhead::drop);
            chunks.clear();
        }
        disk.close();
    }
}
