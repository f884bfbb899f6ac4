package dst.server.auth;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down peers that keep failing to log in. Failures are counted per peer address; from the
 * {@value #FREE_FAILURES}th on, every further handshake of that address waits, doubling from 100 ms
 * up to {@link #MAX_DELAY}, so guessing is slow and one noisy peer cannot flood the log. A success,
 * or {@link #FORGET_AFTER} without failures, clears the address. The table is bounded, so a flood
 * from many addresses cannot grow it without limit. Thread-safe.
 */
public final class FailureThrottle {
    static final int FREE_FAILURES = 3;
    static final Duration MAX_DELAY = Duration.ofSeconds(5);
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    static final int MAX_ADDRESSES = 10_000;

    private record Entry(int failures, long lastNanos) {
    }

    private final ConcurrentHashMap<String, Entry> byAddress = new ConcurrentHashMap<>();

    /** Records one failure of {@code address}; returns how many in a row it has now. */
    public int failed(String address) {
        long now = System.nanoTime();
        if (byAddress.size() >= MAX_ADDRESSES) prune(now);
        return byAddress.merge(address, new Entry(1, now), (old, one) ->
                new Entry(expired(old, now) ? 1 : old.failures + 1, now)).failures;
    }

    public void succeeded(String address) {
        byAddress.remove(address);
    }

    /** How long a handshake step of {@code address} should wait before it is answered. */
    public Duration delay(String address) {
        Entry e = byAddress.get(address);
        if (e == null || expired(e, System.nanoTime()) || e.failures < FREE_FAILURES) return Duration.ZERO;
        int doublings = Math.min(e.failures - FREE_FAILURES, 16);
        long ms = Math.min(100L << doublings, MAX_DELAY.toMillis());
        return Duration.ofMillis(ms);
    }

    private static boolean expired(Entry e, long now) {
        return now - e.lastNanos > FORGET_AFTER.toNanos();
    }

    private void prune(long now) {
        byAddress.values().removeIf(e -> expired(e, now));
        if (byAddress.size() >= MAX_ADDRESSES) byAddress.clear(); // a flood of addresses: start over rather than grow
    }
}
