package dst.client.transactions;

/**
 * Which acknowledged writes are known to be durable. A write acknowledged without FUA sits in the server's
 * volatile cache until a FLUSH covers it; if the server <em>machine</em> restarts in between (a new boot id
 * after a reconnect), those writes may be gone, and the next flush must fail with EIO instead of
 * pretending they are safe.
 *
 * <p>A FLUSH covers the writes acknowledged before it entered the table ({@link #coverage()}), since the
 * server orders a flush only after completed writes. Threading: not thread-safe; owned by the session's
 * event loop, like the transaction table.
 */
public final class DurabilityLedger {
    private long ackedVolatileWrites;
    private long flushedUpTo;
    private boolean lossPending;
    private long serverBootId;

    /** For a FLUSH entering the table: the acknowledged volatile writes it will cover. */
    public long coverage() {
        return ackedVolatileWrites;
    }

    /** A write (WRITE, TRIM, WRITE_ZEROES) was acknowledged; {@code fua}: durable already. */
    public void writeAcknowledged(boolean fua) {
        if (!fua) ackedVolatileWrites++;
    }

    /**
     * A FLUSH of the given {@link #coverage()} was acknowledged. Returns false when it must fail instead: the
     * server machine restarted since writes it was to cover were acknowledged (reported once).
     */
    public boolean flushAcknowledged(long coverage) {
        if (lossPending) {
            lossPending = false;
            return false;
        }
        flushedUpTo = Math.max(flushedUpTo, coverage);
        return true;
    }

    /**
     * A connection was welcomed by a server whose machine boot is {@code bootId} (0: not told);
     * {@code reconnect}: not the first connection. Returns how many acknowledged writes may have been lost
     * to a restart of the server machine (the next flush then fails), 0 when none.
     */
    public long welcomed(long bootId, boolean reconnect) {
        long lost = 0;
        if (reconnect && serverBootId != 0 && bootId != serverBootId && ackedVolatileWrites > flushedUpTo) {
            lossPending = true;
            lost = ackedVolatileWrites - flushedUpTo;
        }
        serverBootId = bootId;
        return lost;
    }
}
