package dst.client.cache;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which bytes of the disk are newer in the cache than on the server, and which unacknowledged change holds
 * the newest version of each: non-overlapping extents keyed by start offset. A new change takes over its
 * range (cutting older extents) and is made to wait for the older changes it overlaps; an acknowledged change
 * gives up whatever extents are still its own.
 *
 * <pre>
 *   before:  [---- A ----)      [-- B --)
 *   write C:        [------ C ------)          C waits for A and B
 *   after:   [- A -)[------ C ------)[ B )
 * </pre>
 *
 * <p>Not thread-safe: the cache calls it under its lock. Extents hold no buffer references of their own:
 * an extent lives exactly as long as its owner is unacknowledged, and the owner holds the data.
 */
final class DirtyExtents {
    private static final class Extent {
        long start;
        final long end;
        final PendingWrite owner;

        Extent(long start, long end, PendingWrite owner) {
            this.start = start;
            this.end = end;
            this.owner = owner;
        }
    }

    /** A snapshot piece of a read range: {@code data == null} means zeros. The reader releases {@code data}. */
    record Piece(long start, int length, ByteBuf data) {
    }

    private final TreeMap<Long, Extent> extents = new TreeMap<>();

    /** Gives {@code change}'s whole range to it; every older change it overlaps becomes its blocker. */
    void claim(PendingWrite change) {
        long start = change.offset;
        long end = change.end();
        Map.Entry<Long, Extent> below = extents.lowerEntry(start);
        if (below != null && below.getValue().end > start) {
            Extent old = below.getValue();
            old.owner.block(change);
            if (old.end > end) extents.put(end, new Extent(end, old.end, old.owner));
            extents.put(old.start, new Extent(old.start, start, old.owner));
        }
        List<Extent> tails = null;
        for (Iterator<Extent> it = extents.subMap(start, true, end, false).values().iterator(); it.hasNext(); ) {
            Extent old = it.next();
            old.owner.block(change);
            it.remove();
            if (old.end > end) {
                if (tails == null) tails = new ArrayList<>(1);
                tails.add(new Extent(end, old.end, old.owner));
            }
        }
        if (tails != null) for (Extent t : tails) extents.put(t.start, t);
        extents.put(start, new Extent(start, end, change));
    }

    /** Drops the extents {@code change} still owns (it was acknowledged, or failed). */
    void release(PendingWrite change) {
        extents.subMap(change.offset, true, change.end(), false).values().removeIf(e -> e.owner == change);
    }

    /**
     * The cached pieces inside {@code [offset, offset+length)}, clipped to it, in offset order, each with a
     * retained slice of its data (or null for zeros).
     */
    List<Piece> snapshot(long offset, int length) {
        long end = offset + length;
        List<Piece> out = new ArrayList<>();
        Map.Entry<Long, Extent> below = extents.lowerEntry(offset);
        if (below != null && below.getValue().end > offset) out.add(piece(below.getValue(), offset, end));
        for (Extent e : extents.subMap(offset, true, end, false).values()) out.add(piece(e, offset, end));
        return out;
    }

    boolean isEmpty() {
        return extents.isEmpty();
    }

    int size() {
        return extents.size();
    }

    private static Piece piece(Extent e, long from, long to) {
        long s = Math.max(e.start, from);
        int n = (int) (Math.min(e.end, to) - s);
        PendingWrite w = e.owner;
        ByteBuf data = w.kind == PendingWrite.Kind.WRITE
                ? w.data.retainedSlice(w.data.readerIndex() + (int) (s - w.offset), n) : null;
        return new Piece(s, n, data);
    }
}
