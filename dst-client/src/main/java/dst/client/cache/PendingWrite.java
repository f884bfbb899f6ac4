package dst.client.cache;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One change accepted by the {@link WriteBackCache} and not yet acknowledged by the server: a write (with its
 * data) or a trim / write-zeroes (no data; reads as zeros). Numbered in acceptance order, which is the
 * order a FLUSH waits in.
 *
 * <p>Overlapping changes must reach the server in acceptance order (the server runs requests in parallel),
 * so a change waits for every older unacknowledged change it overlaps: {@code blockers} counts them, and
 * each blocker lists it in {@code waiters}. Guarded by the cache's lock, except the immutable fields.
 *
 * <p>Ownership: {@code data} is held until the server answered; then the cache releases it.
 */
final class PendingWrite {
    enum Kind { WRITE, TRIM, WRITE_ZEROES }

    final long seq;
    final Kind kind;
    final long offset;
    final long length;
    final ByteBuf data;          // WRITE only; readerIndex is at offset
    final long cost;             // bytes charged to the cache's budget
    final CompletableFuture<Void> acknowledged = new CompletableFuture<>();

    int blockers;
    List<PendingWrite> waiters;
    boolean done;

    PendingWrite(long seq, Kind kind, long offset, long length, ByteBuf data, long cost) {
        this.seq = seq;
        this.kind = kind;
        this.offset = offset;
        this.length = length;
        this.data = data;
        this.cost = cost;
    }

    long end() {
        return offset + length;
    }

    /** Makes {@code later} wait for this change; false when it already waits (or is this). */
    boolean block(PendingWrite later) {
        if (later == this || done) return false;
        if (waiters == null) waiters = new ArrayList<>(2);
        else if (!waiters.isEmpty() && waiters.get(waiters.size() - 1) == later) return false;
        waiters.add(later);
        later.blockers++;
        return true;
    }

    @Override
    public String toString() {
        return kind + "#" + seq + " " + offset + "+" + length;
    }
}
