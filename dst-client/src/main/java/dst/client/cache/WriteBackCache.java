package dst.client.cache;

import dst.client.core.BlockDevice;
import dst.client.core.ByteBudget;
import dst.client.core.DeviceStats;
import dst.client.core.ForwardingBlockDevice;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.Failures;
import dst.protocol.Opcode;
import dst.protocol.ExportInfo;
import dst.runtime.buffers.Buffers;
import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A volatile write cache in front of a {@link BlockDevice}, with exactly the semantics a disk's own write
 * cache has, so that a frontend that sends one request at a time (FUSE through loop: queue depth 1) no
 * longer pays a network round trip per write:
 * <ul>
 *   <li>WRITE is acknowledged as soon as its data is in client memory, and streamed to the server at once in
 *       the background, many in flight;</li>
 *   <li>FLUSH completes only when every write accepted before it is acknowledged by the server <i>and</i> the
 *       server flushed; a FUA write is a write followed by such a flush;</li>
 *   <li>a background write that failed makes the next FLUSH covering it fail with EIO: never silently lost;</li>
 *   <li>READ sees cached writes; overlapping writes reach the server in the order they were accepted;</li>
 *   <li>the cache is bounded ({@code capacity} bytes of unacknowledged write data): a full cache makes the
 *       writer wait (backpressure).</li>
 * </ul>
 * What a client crash can lose is what a disk's power loss can: writes not yet covered by a completed FLUSH.
 * Filesystems flush at every commit, and loop turns FUA into write + flush, so they stay consistent.
 *
 * <p>Threading: any thread but the inner device's event loop, as for every BlockDevice; one lock guards the
 * dirty extents, the outstanding changes and the flush waiters; the inner device is called outside it.
 *
 * <p>Ownership: {@link #write} keeps the caller's buffer until the server acknowledged it (no copy).
 */
public final class WriteBackCache extends ForwardingBlockDevice {
    private static final Logger LOG = Logger.getLogger(WriteBackCache.class.getName());

    private final ByteBudget budget;
    private final long capacity;

    // Guarded by `this`.
    private final DirtyExtents dirty = new DirtyExtents();
    private final TreeMap<Long, PendingWrite> outstanding = new TreeMap<>();
    private final ArrayDeque<FlushWaiter> flushWaiters = new ArrayDeque<>();
    private final TreeMap<Long, DstException> failures = new TreeMap<>();
    private long nextSeq = 1;
    private boolean closed;

    private record FlushWaiter(long upTo, CompletableFuture<Void> earlierDone) {
    }

    /** @param capacity bytes of write data that may wait for the server's acknowledgement (> 0) */
    public WriteBackCache(BlockDevice disk, long capacity) {
        super(disk);
        if (capacity <= 0) throw new IllegalArgumentException("cache capacity must be positive: " + capacity);
        this.capacity = capacity;
        this.budget = new ByteBudget(capacity);
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes of write data not yet acknowledged by the server. */
    public long dirtyBytes() {
        return budget.used();
    }

    // ---- writes ----

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        DstException bad = disk.info().refusal(Opcode.WRITE, offset, length);
        if (bad != null) {
            data.release();
            return CompletableFuture.failedFuture(bad);
        }
        if (length == 0) {
            data.release();
            return fua ? flush() : CompletableFuture.completedFuture(null);
        }
        try {
            budget.acquire(length);
        } catch (DstException e) {
            data.release();
            return CompletableFuture.failedFuture(e);
        }
        PendingWrite w = accept(PendingWrite.Kind.WRITE, offset, length, data, length);
        if (w == null) {
            data.release();
            budget.release(length);
            return CompletableFuture.failedFuture(new DstException(Errno.ESHUTDOWN, "device is closed"));
        }
        return fua ? flush() : CompletableFuture.completedFuture(null);
    }

    /** Trims and zeroing are ordered like writes but answered only once the server did them (they are rare). */
    @Override
    public CompletableFuture<Void> trim(long offset, long length) {
        return ranged(PendingWrite.Kind.TRIM, offset, length);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length) {
        return ranged(PendingWrite.Kind.WRITE_ZEROES, offset, length);
    }

    private CompletableFuture<Void> ranged(PendingWrite.Kind kind, long offset, long length) {
        DstException bad = disk.info().refusal(kind == PendingWrite.Kind.TRIM ? Opcode.TRIM : Opcode.WRITE_ZEROES, offset, length);
        if (bad != null) return CompletableFuture.failedFuture(bad);
        if (length == 0) return CompletableFuture.completedFuture(null);
        PendingWrite w = accept(kind, offset, length, null, 0);
        if (w == null) return CompletableFuture.failedFuture(new DstException(Errno.ESHUTDOWN, "device is closed"));
        return w.acknowledged;
    }

    /** Registers a change, claims its range, and sends it unless it must wait for older overlapping changes. */
    private PendingWrite accept(PendingWrite.Kind kind, long offset, long length, ByteBuf data, long cost) {
        PendingWrite w;
        synchronized (this) {
            if (closed) return null;
            w = new PendingWrite(nextSeq++, kind, offset, length, data, cost);
            outstanding.put(w.seq, w);
            dirty.claim(w);
            if (w.blockers > 0) return w;
        }
        send(w);
        return w;
    }

    private void send(PendingWrite w) {
        CompletableFuture<Void> sent;
        try {
            sent = switch (w.kind) {
                case WRITE -> disk.write(w.offset, w.data.retainedDuplicate(), false);
                case TRIM -> disk.trim(w.offset, w.length);
                case WRITE_ZEROES -> disk.writeZeroes(w.offset, w.length);
            };
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((v, err) -> acknowledged(w, err));
    }

    /** The server answered {@code w}: give up its extents, unblock its waiters, wake flushes it held up. */
    private void acknowledged(PendingWrite w, Throwable err) {
        List<PendingWrite> ready = null;
        List<CompletableFuture<Void>> flushes = null;
        DstException failure = err == null ? null : Failures.asDstException(err);
        synchronized (this) {
            w.done = true;
            outstanding.remove(w.seq);
            dirty.release(w);
            if (failure != null && w.kind == PendingWrite.Kind.WRITE) failures.put(w.seq, failure);
            if (w.waiters != null) {
                for (PendingWrite later : w.waiters) {
                    if (--later.blockers == 0) {
                        if (ready == null) ready = new ArrayList<>();
                        ready.add(later);
                    }
                }
                w.waiters = null;
            }
            long oldest = outstanding.isEmpty() ? Long.MAX_VALUE : outstanding.firstKey();
            while (!flushWaiters.isEmpty() && flushWaiters.peekFirst().upTo() < oldest) {
                if (flushes == null) flushes = new ArrayList<>();
                flushes.add(flushWaiters.pollFirst().earlierDone());
            }
        }
        if (w.data != null) w.data.release();
        budget.release(w.cost);
        if (failure != null) {
            if (w.kind == PendingWrite.Kind.WRITE) {
                LOG.warning("background " + w + " failed (" + failure.getMessage() + "); the next flush reports EIO");
            }
            w.acknowledged.completeExceptionally(failure);
        } else {
            w.acknowledged.complete(null);
        }
        if (ready != null) for (PendingWrite later : ready) send(later);
        if (flushes != null) for (CompletableFuture<Void> f : flushes) f.complete(null);
    }

    // ---- flush ----

    /** Waits for every change accepted so far to be acknowledged, then flushes the server. */
    @Override
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> earlierDone = new CompletableFuture<>();
        long upTo;
        synchronized (this) {
            upTo = nextSeq - 1;
            if (outstanding.isEmpty() || outstanding.firstKey() > upTo) earlierDone.complete(null);
            else flushWaiters.addLast(new FlushWaiter(upTo, earlierDone));
        }
        return earlierDone.thenCompose(v -> disk.flush()).thenCompose(v -> {
            DstException lost = takeFailures(upTo);
            return lost == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(lost);
        });
    }

    /** The failures of writes up to {@code upTo} as one EIO (reported once, as fsync does), or null. */
    private synchronized DstException takeFailures(long upTo) {
        Map<Long, DstException> covered = failures.headMap(upTo, true);
        if (covered.isEmpty()) return null;
        DstException first = covered.values().iterator().next();
        int n = covered.size();
        covered.clear();
        return new DstException(Errno.EIO, n + " cached write(s) could not be written to the server; first: " + first.getMessage(), first);
    }

    // ---- reads ----

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        List<DirtyExtents.Piece> pieces;
        synchronized (this) {
            pieces = dirty.isEmpty() || length <= 0 ? List.of() : dirty.snapshot(offset, length);
        }
        if (pieces.isEmpty()) return disk.read(offset, length);
        long covered = 0;
        for (DirtyExtents.Piece p : pieces) covered += p.length();
        if (covered == length) {
            ByteBuf out = Buffers.ALLOCATOR.directBuffer(length, length);
            out.writeZero(length);
            overlay(out, offset, pieces);
            return CompletableFuture.completedFuture(out);
        }
        return disk.read(offset, length).handle((fromServer, err) -> {
            if (err != null) {
                release(pieces);
                throw err instanceof CompletionException c ? c : new CompletionException(err);
            }
            try {
                ByteBuf out = Buffers.ALLOCATOR.directBuffer(length, length);
                out.writeBytes(fromServer, fromServer.readerIndex(), length);
                overlay(out, offset, pieces);
                return out;
            } finally {
                fromServer.release();
            }
        });
    }

    /** Copies each piece (or zeros) over {@code out}, which holds {@code [offset, offset+capacity)}; releases them. */
    private static void overlay(ByteBuf out, long offset, List<DirtyExtents.Piece> pieces) {
        for (DirtyExtents.Piece p : pieces) {
            int at = (int) (p.start() - offset);
            if (p.data() == null) {
                out.setZero(at, p.length());
            } else {
                out.setBytes(at, p.data(), p.data().readerIndex(), p.length());
                p.data().release();
            }
        }
    }

    private static void release(List<DirtyExtents.Piece> pieces) {
        for (DirtyExtents.Piece p : pieces) if (p.data() != null) p.data().release();
    }

    // ---- lifecycle ----

    /** Writes back everything (waiting as long as the inner device's I/O timeout lets it), flushes, closes. */
    @Override
    public void close() {
        CompletableFuture<Void> drained = flush();
        synchronized (this) {
            closed = true;
        }
        try {
            drained.get(10, TimeUnit.MINUTES);
        } catch (Exception e) {
            LOG.severe("closing with cached writes not written back: " + e.getMessage());
        }
        budget.close();
        disk.close();
    }

}
