package dst.client.transactions;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The transactions a client holds until their replies, whatever the protocol: ordered by id, sent on the
 * current connection within the server's window, the rest in the TX fallback queue.
 *
 * <ul>
 *   <li><b>Window</b>: at most {@code window} transactions are on the wire of a connection (the server's
 *       MAX_IN_FLIGHT; a server disconnects a client that sends more). The rest wait in the fallback queue
 *       and go out, oldest first, as replies free slots or the socket becomes writable again.</li>
 *   <li><b>Resend</b>: a new connection gets every transaction still in the table, in id order.</li>
 *   <li><b>Deadline</b>: a transaction past its deadline leaves the table for good ({@link #expire}): it is
 *       never resent, and a reply that still arrives for it is ignored.</li>
 *   <li><b>Late replies</b>: a reply counts only when it comes from the connection the transaction was last
 *       written to ({@link #answer}); one from an older connection, or for an id no longer held, is not
 *       an answer.</li>
 * </ul>
 *
 * <p>Connections are numbered (1, 2, ...; 0 = none), so the table needs no network types. Threading: not
 * thread-safe; one thread (the session's event loop) owns the table and every entry in it.
 *
 * @param <T> the caller's transaction type (it carries the payload and whom to tell)
 */
public final class TransactionTable<T extends TransactionTable.Entry> {
    /** What the table needs to know of a transaction; the subclass carries the rest. */
    public abstract static class Entry {
        final long id;
        final long deadlineNanos;
        final boolean changesData;
        final long offset;
        final long length;
        long sentOn;
        int sends;
        boolean held;
        // Write ordering (WriteOrder): the table it is in, older overlapping writes it waits for, newer ones waiting for it.
        TransactionTable<?> owner;
        int blockers;
        java.util.List<Entry> dependents;
        boolean gone;

        /** {@code deadlineNanos} on the {@link System#nanoTime} clock; {@link Long#MAX_VALUE}: none. */
        protected Entry(long id, long deadlineNanos) {
            this(id, deadlineNanos, false, 0, 0);
        }

        /** {@code changesData}: a write (WRITE, TRIM, WRITE_ZEROES) of {@code offset+length}, ordered against overlapping writes. */
        protected Entry(long id, long deadlineNanos, boolean changesData, long offset, long length) {
            this.id = id;
            this.deadlineNanos = deadlineNanos;
            this.changesData = changesData;
            this.offset = offset;
            this.length = length;
        }

        public final long id() {
            return id;
        }

        /** The connection this transaction was last written to; 0 when never written. */
        public final long sentOn() {
            return sentOn;
        }

        /** How many times it was written (more than 1: resent after a reconnect). */
        public final int sends() {
            return sends;
        }
    }

    /** The current connection, as far as the table needs it. */
    public interface Wire<T> {
        /** False while the socket buffer is full: then transactions wait in the fallback queue. */
        boolean writable();

        /** Queues {@code tx} for sending (no flush yet); {@code resend} when it was written before. */
        void write(T tx, boolean resend);

        /** Sends what {@link #write} queued. */
        void flush();
    }

    /** What {@link #expire} took out of the table. */
    public record Expired<T>(List<T> transactions, boolean onCurrentConnection) {
    }

    private final TreeMap<Long, T> table = new TreeMap<>();
    private final boolean holdOverlappingWrites;
    private final WriteOrder order;
    private int held;
    private final ArrayDeque<T> fallback = new ArrayDeque<>();
    private Wire<T> wire;
    private long connection;   // current connection number, 0 = none
    private long lastConnection;
    private int onWire;        // written on `connection` and not answered
    private int window = Integer.MAX_VALUE;

    /** A table that sends every transaction as soon as the window allows (the server fences old connections). */
    public TransactionTable() {
        this(false);
    }

    /**
     * {@code holdOverlappingWrites}: a write is not sent while an older write to an overlapping range is unanswered
     * (for servers without fencing, e.g. NBD: a resent older write then can never land after the newer one on a
     * live connection; see PROTOCOL.md, NBD targets).
     */
    public TransactionTable(boolean holdOverlappingWrites) {
        this(holdOverlappingWrites, new WriteOrder());
    }

    /**
     * A table that holds overlapping writes against every table sharing {@code order} (one per connection of a
     * multi-connection device): a write waits while an older overlapping write is unanswered on any of them.
     */
    public TransactionTable(WriteOrder order) {
        this(true, order);
    }

    private TransactionTable(boolean holdOverlappingWrites, WriteOrder order) {
        this.holdOverlappingWrites = holdOverlappingWrites;
        this.order = order;
    }

    /**
     * Connection {@code number} is up (numbers grow with every connection): it gets every transaction held,
     * in id order, within {@code window} ({@code <= 0}: no limit).
     */
    public void connected(long number, Wire<T> wire, int window) {
        if (number <= lastConnection) throw new IllegalArgumentException("connection " + number + " is not newer than " + lastConnection);
        this.wire = wire;
        this.connection = number;
        this.lastConnection = number;
        this.window = window > 0 ? window : Integer.MAX_VALUE;
        onWire = 0;
        fallback.clear();
        for (T tx : table.values()) {
            if (!tx.held) send(tx);
        }
        wire.flush();
    }

    /** Connection {@code number} is gone; returns false when it was not the current one (nothing changes). */
    public boolean disconnected(long number) {
        if (number != connection || number == 0) return false;
        wire = null;
        connection = 0;
        onWire = 0;
        return true;
    }

    /** The current connection's number, 0 when there is none. */
    public long connection() {
        return connection;
    }

    /** Takes {@code tx} in: sends it now when connected and the window allows, else queues it. */
    public void add(T tx) {
        table.put(tx.id, tx);
        tx.owner = this;
        if (holdOverlappingWrites && order.added(tx)) {
            tx.held = true;
            held++;
            return;
        }
        send(tx);
        if (wire != null) wire.flush();
    }

    /**
     * A reply for {@code id} arrived on connection {@code from}. Returns the transaction, which has left the
     * table, or null when the reply is not an answer (a transaction that expired, already answered, or resent
     * since). A slot in the window opens for the next queued transaction.
     */
    public T answer(long id, long from) {
        T tx = table.get(id);
        if (tx == null || tx.sentOn != from) return null;
        table.remove(id);
        if (from == connection && connection != 0) {
            onWire--;
            if (!fallback.isEmpty()) drain(from);
        }
        left(tx);
        return tx;
    }

    /** Connection {@code number} can take more (writable again, or a slot opened): sends what waits. */
    public void drain(long number) {
        if (number != connection || wire == null) return;
        boolean wrote = false;
        while (wire.writable() && !fallback.isEmpty() && onWire < window) {
            T tx = fallback.poll();
            if (table.get(tx.id) == tx) {
                write(tx);
                wrote = true;
            }
        }
        if (wrote) wire.flush();
    }

    /**
     * Takes out every transaction whose deadline is not after {@code nowNanos}: they are never sent again.
     * {@code onCurrentConnection} says whether one of them was on the current connection's wire: the caller
     * then resets that connection, so the server fences it before anything newer runs.
     */
    public Expired<T> expire(long nowNanos) {
        List<T> out = new ArrayList<>();
        boolean onCurrent = false;
        for (Iterator<Map.Entry<Long, T>> it = table.entrySet().iterator(); it.hasNext(); ) {
            T tx = it.next().getValue();
            if (tx.deadlineNanos - nowNanos > 0) break; // ids are handed out in deadline order
            it.remove();
            out.add(tx);
            onCurrent |= tx.sentOn != 0 && tx.sentOn == connection;
        }
        if (!out.isEmpty()) {
            fallback.removeIf(tx -> !table.containsKey(tx.id));
            for (T tx : out) {
                if (tx.held) held--;
                left(tx);
            }
        }
        return new Expired<>(out, onCurrent);
    }

    /** Empties the table (the device closes or fails for good); returns what it held, in id order. */
    public List<T> removeAll() {
        List<T> all = new ArrayList<>(table.values());
        table.clear();
        fallback.clear();
        held = 0;
        for (T tx : all) left(tx);
        return all;
    }

    public int size() {
        return table.size();
    }

    public boolean isEmpty() {
        return table.isEmpty();
    }

    /** Whether the table still holds {@code tx} (it has neither been answered nor expired). */
    public boolean holds(T tx) {
        return table.get(tx.id) == tx;
    }

    /** Transactions waiting in the fallback queue (for tests and status views). */
    public int queued() {
        return fallback.size();
    }

    /** Transactions written on the current connection and not answered. */
    public int onWire() {
        return onWire;
    }

    /** Writes held behind an older overlapping write (for tests and status views). */
    public int held() {
        return held;
    }

    /** {@code tx} left the table: it no longer holds newer writes back, here or in a table sharing the order. */
    private void left(T tx) {
        if (holdOverlappingWrites) order.left(tx);
    }

    /** A held write no older write overlaps any more (in any table sharing the order): it goes now. */
    @SuppressWarnings("unchecked")
    void release(Entry e) {
        T tx = (T) e; // only this table's entries name it as their owner
        if (!tx.held || table.get(tx.id) != tx) return;
        tx.held = false;
        held--;
        send(tx);
        if (wire != null) wire.flush();
    }

    private void send(T tx) {
        if (wire != null && wire.writable() && fallback.isEmpty() && onWire < window) {
            write(tx);
        } else {
            fallback.add(tx); // not connected, the socket buffer is full, or the server's limit reached
        }
    }

    private void write(T tx) {
        boolean resend = tx.sends++ > 0;
        tx.sentOn = connection;
        onWire++;
        wire.write(tx, resend);
    }
}
