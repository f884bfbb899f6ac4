package dst.client.cli;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies at 1 µs resolution up to 1 s (one counter per microsecond), then one overflow bucket.
 * Lock-free recording from the completion thread; percentiles read once at the end.
 */
final class LatencyHistogram {
    private static final int MAX_MICROS = 1_000_000;
    private final AtomicLongArray counts = new AtomicLongArray(MAX_MICROS + 1);

    void record(long nanos) {
        long us = nanos / 1000;
        counts.incrementAndGet((int) Math.min(us, MAX_MICROS));
    }

    /** The latency in µs below which {@code fraction} of the samples lie; MAX_MICROS means "1 s or more". */
    long percentileMicros(double fraction) {
        long total = 0;
        for (int i = 0; i <= MAX_MICROS; i++) total += counts.get(i);
        if (total == 0) return 0;
        long rank = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int i = 0; i <= MAX_MICROS; i++) {
            seen += counts.get(i);
            if (seen >= rank) return i;
        }
        return MAX_MICROS;
    }
}
