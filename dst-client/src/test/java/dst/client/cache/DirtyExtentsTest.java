package dst.client.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirtyExtentsTest {
    private static PendingWrite write(long seq, long offset, int length, int fill) {
        ByteBuf data = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) data.writeByte(fill);
        return new PendingWrite(seq, PendingWrite.Kind.WRITE, offset, length, data, length);
    }

    @Test
    void newerChangeTakesOverItsRangeAndWaitsForEveryOlderOneItOverlaps() {
        DirtyExtents d = new DirtyExtents();
        PendingWrite a = write(1, 0, 100, 'a');
        PendingWrite b = write(2, 200, 100, 'b');
        PendingWrite c = write(3, 50, 200, 'c');   // cuts the tail of a and the head of b
        PendingWrite e = write(4, 400, 10, 'e');   // overlaps nothing
        d.claim(a);
        d.claim(b);
        d.claim(c);
        d.claim(e);
        assertEquals(0, a.blockers);
        assertEquals(2, c.blockers, "c waits for a and b");
        assertEquals(0, e.blockers);

        List<DirtyExtents.Piece> pieces = d.snapshot(0, 410);
        assertEquals(List.of(0L, 50L, 250L, 400L), pieces.stream().map(DirtyExtents.Piece::start).toList());
        assertEquals(List.of(50, 200, 50, 10), pieces.stream().map(DirtyExtents.Piece::length).toList());
        assertEquals('a', pieces.get(0).data().getByte(pieces.get(0).data().readerIndex()));
        assertEquals('c', pieces.get(1).data().getByte(pieces.get(1).data().readerIndex()));
        assertEquals('b', pieces.get(2).data().getByte(pieces.get(2).data().readerIndex()));
        pieces.forEach(p -> p.data().release());

        a.done = true;
        d.release(a);
        assertEquals(List.of(50L, 250L, 400L), d.snapshot(0, 410).stream().peek(p -> p.data().release()).map(DirtyExtents.Piece::start).toList());
        d.release(c);
        d.release(b);
        d.release(e);
        assertTrue(d.isEmpty());
        for (PendingWrite w : List.of(a, b, c, e)) w.data.release();
    }

    @Test
    void aChangeInsideAnOlderOneSplitsItAndZeroRangesReadAsNull() {
        DirtyExtents d = new DirtyExtents();
        PendingWrite big = write(1, 0, 1000, 'x');
        PendingWrite trim = new PendingWrite(2, PendingWrite.Kind.TRIM, 100, 100, null, 0);
        d.claim(big);
        d.claim(trim);
        assertEquals(1, trim.blockers);
        List<DirtyExtents.Piece> pieces = d.snapshot(50, 200);
        assertEquals(3, pieces.size());
        assertEquals(50, pieces.get(0).start());
        assertEquals(50, pieces.get(0).length());
        assertNull(pieces.get(1).data(), "trimmed range reads as zeros");
        assertEquals(200, pieces.get(2).start());
        assertEquals(50, pieces.get(2).length());
        pieces.stream().filter(p -> p.data() != null).forEach(p -> p.data().release());
        assertEquals(3, d.size());
        big.data.release();
    }
}
