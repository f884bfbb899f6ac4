package dst.client.transactions;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transaction table on its own: no sockets, no event loop, an explicit clock. */
class TransactionTableTest {
    private static final long SECOND = 1_000_000_000L;

    /** A transaction with a deadline at {@code id} seconds. */
    static final class Tx extends TransactionTable.Entry {
        Tx(long id) {
            super(id, id * SECOND);
        }

        Tx(long id, long deadlineNanos) {
            super(id, deadlineNanos);
        }

        /** A write of {@code offset+length}, deadline at {@code id} seconds. */
        Tx(long id, long offset, long length) {
            super(id, id * SECOND, true, offset, length);
        }

        @Override
        public String toString() {
            return "tx" + id();
        }
    }

    /** Records what the table writes; its writability is switched by the test. */
    static final class FakeWire implements TransactionTable.Wire<Tx> {
        final List<Long> written = new ArrayList<>();
        final List<Long> resent = new ArrayList<>();
        boolean writable = true;
        int flushes;

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public void write(Tx tx, boolean resend) {
            written.add(tx.id());
            if (resend) resent.add(tx.id());
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    private final TransactionTable<Tx> table = new TransactionTable<>();

    private List<Tx> add(long first, long last) {
        List<Tx> out = new ArrayList<>();
        for (long id = first; id <= last; id++) {
            Tx tx = new Tx(id);
            table.add(tx);
            out.add(tx);
        }
        return out;
    }

    @Test
    void sendsAtMostTheWindowAndTheRestAsRepliesFreeSlots() {
        FakeWire wire = new FakeWire();
        table.connected(1, wire, 3);
        add(1, 5);
        assertEquals(List.of(1L, 2L, 3L), wire.written, "only the window goes on the wire");
        assertEquals(2, table.queued());
        assertEquals(3, table.onWire());

        assertEquals(2, table.answer(2, 1).id());
        assertEquals(List.of(1L, 2L, 3L, 4L), wire.written, "an answer opens one slot for the oldest waiting");
        table.answer(1, 1);
        table.answer(3, 1);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), wire.written);
        assertEquals(0, table.queued());
        assertEquals(2, table.size(), "4 and 5 still unanswered");
    }

    @Test
    void noWindowToldMeansNoLimit() {
        FakeWire wire = new FakeWire();
        table.connected(1, wire, 0);
        add(1, 1000);
        assertEquals(1000, wire.written.size());
        assertEquals(0, table.queued());
    }

    @Test
    void aFullSocketQueuesInOrderAndWritabilityDrainsOldestFirst() {
        FakeWire wire = new FakeWire();
        table.connected(1, wire, 100);
        add(1, 1);
        wire.writable = false;
        add(2, 4);
        assertEquals(List.of(1L), wire.written);
        wire.writable = true;
        add(5, 5); // queued behind the waiting ones, never ahead of them
        assertEquals(List.of(1L), wire.written, "a new transaction must not overtake the fallback queue");
        table.drain(1);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), wire.written);
        assertEquals(0, table.queued());
    }

    @Test
    void withoutAConnectionEverythingWaitsAndAReconnectResendsInIdOrder() {
        FakeWire first = new FakeWire();
        table.connected(1, first, 2);
        add(1, 4);
        assertEquals(List.of(1L, 2L), first.written);
        assertTrue(table.disconnected(1));
        add(5, 6);
        assertEquals(0, table.connection());

        FakeWire second = new FakeWire();
        table.connected(2, second, 10);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), second.written, "every held transaction, in id order");
        assertEquals(List.of(1L, 2L), second.resent, "only 1 and 2 were written before");
        assertTrue(second.flushes > 0);
    }

    @Test
    void aReconnectResendsInIdOrderWithinTheNewWindow() {
        table.connected(1, new FakeWire(), 10);
        add(1, 6);
        table.disconnected(1);
        FakeWire second = new FakeWire();
        table.connected(2, second, 2);
        assertEquals(List.of(1L, 2L), second.written);
        table.answer(1, 2);
        table.answer(2, 2);
        table.answer(3, 2);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), second.written, "slots refill in id order");
    }

    @Test
    void aReplyFromAnOlderConnectionIsNotAnAnswerOnceResent() {
        table.connected(1, new FakeWire(), 10);
        add(1, 2);
        table.disconnected(1);
        FakeWire second = new FakeWire();
        table.connected(2, second, 10);
        assertNull(table.answer(1, 1), "resent on connection 2: the old connection's reply does not count");
        assertEquals(2, table.size());
        assertEquals(1, table.answer(1, 2).id());
        assertNull(table.answer(1, 2), "answered once only");
    }

    @Test
    void aReplyFromTheOldConnectionStillCountsWhileTheResendWaitsInTheQueue() {
        table.connected(1, new FakeWire(), 10);
        add(1, 2);
        table.disconnected(1);
        FakeWire second = new FakeWire();
        second.writable = false;
        table.connected(2, second, 10);
        assertEquals(List.of(), second.written);
        // The old connection answered tx 1 before it died: it ran, so that is its answer; its queued resend is dropped.
        assertEquals(1, table.answer(1, 1).id());
        second.writable = true;
        table.drain(2);
        assertEquals(List.of(2L), second.written);
        assertEquals(1, table.onWire(), "the answer from connection 1 took no slot of connection 2");
    }

    @Test
    void expiredTransactionsLeaveForGoodAndAreNeverResent() {
        FakeWire first = new FakeWire();
        table.connected(1, first, 2);
        List<Tx> txs = add(1, 4); // deadlines at 1..4 s; 1 and 2 on the wire, 3 and 4 queued
        TransactionTable.Expired<Tx> expired = table.expire(3 * SECOND);
        assertEquals(List.of(txs.get(0), txs.get(1), txs.get(2)), expired.transactions(), "deadline not after now");
        assertTrue(expired.onCurrentConnection(), "1 and 2 were on the wire: the connection must be reset");
        assertEquals(1, table.size());
        assertEquals(1, table.queued(), "the expired queued one left the fallback queue too");

        table.disconnected(1);
        FakeWire second = new FakeWire();
        table.connected(2, second, 10);
        assertEquals(List.of(4L), second.written, "an expired transaction is never resent");
    }

    @Test
    void aLateReplyAfterExpiryIsIgnored() {
        table.connected(1, new FakeWire(), 10);
        add(1, 2);
        table.expire(1 * SECOND);
        assertNull(table.answer(1, 1), "tx 1 expired: its late reply is not an answer");
        assertEquals(2, table.answer(2, 1).id());
        assertTrue(table.isEmpty());
    }

    @Test
    void expiryOfQueuedOnlyTransactionsNeedsNoReset() {
        FakeWire wire = new FakeWire();
        table.connected(1, wire, 1);
        table.add(new Tx(1, 10 * SECOND));
        table.add(new Tx(2, 10 * SECOND));
        table.disconnected(1);
        table.add(new Tx(3, 10 * SECOND));
        TransactionTable.Expired<Tx> expired = table.expire(10 * SECOND);
        assertEquals(3, expired.transactions().size());
        assertFalse(expired.onCurrentConnection(), "not connected: nothing on a current wire");
        assertEquals(0, table.queued());
    }

    @Test
    void expiryStopsAtTheFirstTransactionNotDue() {
        table.connected(1, new FakeWire(), 10);
        add(1, 3);
        assertEquals(0, table.expire(SECOND - 1).transactions().size());
        assertEquals(1, table.expire(SECOND).transactions().size());
        assertEquals(2, table.size());
        Tx never = new Tx(10, Long.MAX_VALUE);
        table.add(never);
        table.expire(Long.MAX_VALUE - 1);
        assertSame(never, table.answer(10, 1), "Long.MAX_VALUE: no deadline");
    }

    @Test
    void disconnectOfAnOlderConnectionChangesNothing() {
        table.connected(1, new FakeWire(), 10);
        table.disconnected(1);
        FakeWire second = new FakeWire();
        table.connected(2, second, 10);
        assertFalse(table.disconnected(1));
        assertEquals(2, table.connection());
        add(1, 1);
        assertEquals(List.of(1L), second.written);
        assertThrows(IllegalArgumentException.class, () -> table.connected(2, new FakeWire(), 1), "numbers must grow");
    }

    @Test
    void removeAllEmptiesTableAndQueue() {
        table.connected(1, new FakeWire(), 1);
        add(1, 3);
        assertEquals(3, table.removeAll().size());
        assertTrue(table.isEmpty());
        assertEquals(0, table.queued());
        assertNull(table.answer(1, 1));
    }

    @Test
    void anOverlappingNewerWriteWaitsForTheOlderOneAndDisjointOnesDoNot() {
        TransactionTable<Tx> ordered = new TransactionTable<>(true);
        FakeWire wire = new FakeWire();
        ordered.connected(1, wire, 100);
        ordered.add(new Tx(1, 0, 4096));
        ordered.add(new Tx(2, 8192, 4096));  // disjoint: goes at once
        ordered.add(new Tx(3, 2048, 4096));  // overlaps 1: held
        ordered.add(new Tx(4, 5000, 4000));  // overlaps 3 (held, older): held too
        ordered.add(new Tx(5));              // not a write: never held
        assertEquals(List.of(1L, 2L, 5L), wire.written);
        assertEquals(2, ordered.held());
        ordered.answer(2, 1);
        assertEquals(List.of(1L, 2L, 5L), wire.written, "2 does not overlap 3");
        ordered.answer(1, 1);
        assertEquals(List.of(1L, 2L, 5L, 3L), wire.written, "3 goes once 1 is answered; 4 still waits for 3");
        ordered.answer(3, 1);
        assertEquals(List.of(1L, 2L, 5L, 3L, 4L), wire.written);
        assertEquals(0, ordered.held());
    }

    @Test
    void aHeldWriteStaysHeldAcrossAReconnectUntilTheResentOlderOneIsAnswered() {
        TransactionTable<Tx> ordered = new TransactionTable<>(true);
        ordered.connected(1, new FakeWire(), 100);
        ordered.add(new Tx(1, 0, 4096));
        ordered.add(new Tx(2, 0, 4096));
        ordered.disconnected(1);
        FakeWire second = new FakeWire();
        ordered.connected(2, second, 100);
        assertEquals(List.of(1L), second.written, "only the older write is resent; the newer one still waits");
        assertNull(ordered.answer(1, 1), "the dead connection's reply does not count");
        ordered.answer(1, 2);
        assertEquals(List.of(1L, 2L), second.written);
    }

    @Test
    void anExpiredOlderWriteReleasesTheNewerOne() {
        TransactionTable<Tx> ordered = new TransactionTable<>(true);
        FakeWire wire = new FakeWire();
        ordered.connected(1, wire, 100);
        ordered.add(new Tx(1, 0, 4096));
        ordered.add(new Tx(2, 0, 4096));
        ordered.expire(1 * SECOND);
        assertEquals(List.of(1L, 2L), wire.written, "1 failed with EIO for good: 2 may go");
        assertEquals(0, ordered.held());
    }

    @Test
    void withoutOrderingOverlappingWritesGoAtOnce() {
        FakeWire wire = new FakeWire();
        table.connected(1, wire, 100);
        table.add(new Tx(1, 0, 4096));
        table.add(new Tx(2, 0, 4096));
        assertEquals(List.of(1L, 2L), wire.written, "dst's server fences: no holding needed");
    }

    @Test
    void theOrderSpansTablesSharingItAndAReconnectResendsOnlyItsOwn() {
        WriteOrder order = new WriteOrder();
        TransactionTable<Tx> a = new TransactionTable<>(order);
        TransactionTable<Tx> b = new TransactionTable<>(order);
        FakeWire wireA = new FakeWire();
        FakeWire wireB = new FakeWire();
        a.connected(1, wireA, 100);
        b.connected(1, wireB, 100);
        a.add(new Tx(1, 0, 4096));
        b.add(new Tx(2, 2048, 4096)); // overlaps 1 on the other connection: held
        b.add(new Tx(3, 8192, 4096)); // disjoint: goes
        a.add(new Tx(4, 8192, 512));  // overlaps 3 (on b): held
        assertEquals(List.of(1L), wireA.written);
        assertEquals(List.of(3L), wireB.written);
        assertEquals(4, order.size());

        a.disconnected(1);            // a's connection dies with 1 unanswered
        FakeWire wireA2 = new FakeWire();
        a.connected(2, wireA2, 100);
        assertEquals(List.of(1L), wireA2.written, "a resends its own write 1; its held 4 still waits for 3 on b");
        assertEquals(List.of(3L), wireB.written, "b resends nothing: it did not reconnect");
        assertEquals(1, b.held());

        a.answer(1, 2);
        assertEquals(List.of(3L, 2L), wireB.written, "2 goes on b once 1 is answered on a");
        b.answer(3, 1);
        assertEquals(List.of(1L, 4L), wireA2.written, "4 goes on a once 3 is answered on b");
        assertEquals(0, a.held() + b.held());
        b.answer(2, 1);
        a.answer(4, 2);
        assertEquals(0, order.size());
    }
}
