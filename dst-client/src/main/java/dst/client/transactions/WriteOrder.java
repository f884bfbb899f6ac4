package dst.client.transactions;

import java.util.ArrayList;
import java.util.TreeMap;

/**
 * The unanswered writes (WRITE, TRIM, WRITE_ZEROES) of every {@link TransactionTable} of one device, by id, so that
 * a write is held while an <em>older</em> overlapping write is unanswered on any of its connections (NBD multi-conn:
 * each connection has its own table, the ordering rule spans them all; PROTOCOL.md §9). Ids come from one counter
 * per device, so "older" means the same in every table.
 *
 * <p>Each held write counts the older writes it waits for, and each write lists the newer ones waiting for it, so an
 * answer releases its dependents in id order without rescanning the tables. Threading: not thread-safe; every table
 * sharing it runs on the same thread (the device's event loop).
 */
public final class WriteOrder {
    private final TreeMap<Long, TransactionTable.Entry> unanswered = new TreeMap<>();

    /** {@code tx} entered its table; returns true when it must be held (an older overlapping write is unanswered). */
    boolean added(TransactionTable.Entry tx) {
        if (!tx.changesData) return false;
        for (TransactionTable.Entry older : unanswered.headMap(tx.id, false).values()) {
            if (older.offset < tx.offset + tx.length && tx.offset < older.offset + older.length) {
                if (older.dependents == null) older.dependents = new ArrayList<>(2);
                older.dependents.add(tx);
                tx.blockers++;
            }
        }
        unanswered.put(tx.id, tx);
        return tx.blockers > 0;
    }

    /** {@code tx} left its table (answered, expired, removed): the writes that waited only for it go now, wherever they are. */
    void left(TransactionTable.Entry tx) {
        if (!tx.changesData || unanswered.remove(tx.id) == null) return;
        tx.gone = true;
        if (tx.dependents == null) return;
        for (TransactionTable.Entry d : tx.dependents) {
            if (!d.gone && --d.blockers == 0) d.owner.release(d);
        }
        tx.dependents = null;
    }

    /** Unanswered writes across every table (for tests and status views). */
    public int size() {
        return unanswered.size();
    }
}
