package dst.runtime.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed buckets, as Prometheus counts them: per upper bound (seconds) the samples at or
 * below it, plus the count and the sum. Recording is lock-free and allocation-free from any thread (one
 * {@link LongAdder} per bucket); readers see each adder's current sum.
 */
public final class Histogram {
    /** Upper bounds in seconds: 50 µs to 10 s, about three per decade; beyond the last is {@code +Inf}. */
    public static final double[] BOUNDS = {50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3,
            250e-3, 500e-3, 1, 2.5, 5, 10};
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) BOUND_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
    }

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1]; // not cumulative; the last is +Inf
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    public Histogram() {
        for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
    }

    public void record(long nanos) {
        int i = 0;
        while (i < BOUND_NANOS.length && nanos > BOUND_NANOS[i]) i++;
        buckets[i].increment();
        count.increment();
        sumNanos.add(nanos);
    }

    /** Samples at or below {@code BOUNDS[i]} (cumulative), or all of them for {@code i == BOUNDS.length}. */
    public long cumulative(int i) {
        long n = 0;
        for (int b = 0; b <= i; b++) n += buckets[b].sum();
        return n;
    }

    public long count() {
        return count.sum();
    }

    public long sumNanos() {
        return sumNanos.sum();
    }
}
