package dst.client.core;

import dst.runtime.metrics.Histogram;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one device, updated by the client library, read by status views. Thread-safe. */
public final class DeviceStats {
    /**
     * Connection state as shown to operators and scripts ({@code dst-client status}, the record's {@code connection}).
     * FAILING: disconnected for longer than the I/O timeout, so requests are failing with EIO (each at its deadline)
     * until the server is back; what a RAID leg looks like to md or btrfs while its server is gone.
     */
    public enum State { CONNECTING, CONNECTED, RECONNECTING, FAILING, CLOSED }

    private volatile State state = State.CONNECTING;
    private volatile long downSinceMillis;
    private volatile long lastOutageMillis;
    public final LongAdder reads = new LongAdder();
    public final LongAdder writes = new LongAdder();
    public final LongAdder flushes = new LongAdder();
    public final LongAdder trims = new LongAdder();
    public final LongAdder bytesRead = new LongAdder();
    public final LongAdder bytesWritten = new LongAdder();
    public final LongAdder errors = new LongAdder();
    public final LongAdder reconnects = new LongAdder();
    public final LongAdder resent = new LongAdder();
    public final LongAdder timedOut = new LongAdder();
    public final LongAdder crcErrors = new LongAdder();
    /** Latency of answered requests, from the caller's request to the server's reply (resends included). */
    public final Histogram readLatency = new Histogram();
    public final Histogram writeLatency = new Histogram();
    public final Histogram flushLatency = new Histogram();
    /** TRIM and WRITE_ZEROES, counted together as {@link #trims}. */
    public final Histogram trimLatency = new Histogram();

    private volatile int peakInFlight;
    private volatile int inFlight;
    private volatile int connections = 1;
    private final java.util.concurrent.atomic.AtomicInteger connected = new java.util.concurrent.atomic.AtomicInteger();

    private volatile long session;

    /**
     * The server's id of the device's current session (dst; 0 before the first WELCOME and for NBD). The device daemon
     * persists it for its successor, which resumes the session and so keeps its write claim.
     */
    public long session() {
        return session;
    }

    public void session(long id) {
        session = id;
    }

    /** The device's connections (NBD multi-conn: more than 1). */
    public int connections() {
        return connections;
    }

    public void connections(int n) {
        connections = n;
    }

    /** Connections in their data phase right now. */
    public int connected() {
        return connected.get();
    }

    public void connectionUp() {
        connected.incrementAndGet();
    }

    public void connectionDown() {
        connected.decrementAndGet();
    }

    /** Requests sent and not yet answered, at most, since the device was opened: the queue depth the frontend achieved. */
    public int peakInFlight() {
        return peakInFlight;
    }

    /** Requests sent and not yet answered now. */
    public int inFlight() {
        return inFlight;
    }

    /** Called by the one thread that owns the transaction table whenever it grows or shrinks. */
    public void inFlight(int now) {
        inFlight = now;
        if (now > peakInFlight) peakInFlight = now;
    }

    public State state() {
        return state;
    }

    /** Called by the session's event loop only; times the outages (connected -> not connected -> connected). */
    public void state(State s) {
        State was = state;
        long now = System.currentTimeMillis();
        if (was == State.CONNECTED && s != State.CONNECTED) downSinceMillis = now;
        if ((was == State.RECONNECTING || was == State.FAILING) && s == State.CONNECTED) lastOutageMillis = now - downSinceMillis;
        state = s;
    }

    /** How long the last outage that ended lasted (0: none yet). */
    public long lastOutageMillis() {
        return lastOutageMillis;
    }

    /** One line, e.g. for {@code dst-client list}. */
    public String summary() {
        return String.format("state=%s connections=%d/%d reads=%d (%d B) writes=%d (%d B) flushes=%d trims=%d errors=%d reconnects=%d resent=%d timed-out=%d crc-errors=%d peak-in-flight=%d",
                state, connected.get(), connections, reads.sum(), bytesRead.sum(), writes.sum(), bytesWritten.sum(), flushes.sum(), trims.sum(),
                errors.sum(), reconnects.sum(), resent.sum(), timedOut.sum(), crcErrors.sum(), peakInFlight);
    }
}
