package dst.server.net;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps one noisy peer from flooding the log: at most {@link #PER_WINDOW} warnings per peer
 * address per minute, then one line saying the rest is suppressed. Bounded: the table is cleared
 * when it holds too many addresses. Thread-safe.
 */
public final class LogLimiter {
    static final int PER_WINDOW = 5;
    private static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int MAX_ADDRESSES = 10_000;

    private record Window(long startNanos, AtomicInteger count) {
    }

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /** What to log for one more event of {@code peer}: the message, a suppression note, or null (stay quiet). */
    public String admit(String peer, String message) {
        long now = System.nanoTime();
        if (windows.size() > MAX_ADDRESSES) windows.clear();
        Window w = windows.compute(peer, (k, old) -> old == null || now - old.startNanos > WINDOW_NANOS
                ? new Window(now, new AtomicInteger()) : old);
        int n = w.count.incrementAndGet();
        if (n <= PER_WINDOW) return message;
        if (n == PER_WINDOW + 1) return message + " (more from " + peer + " are not logged for a minute)";
        return null;
    }
}
