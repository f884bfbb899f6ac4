package dst.client.net;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential reconnect delays with full jitter between half and all of the current step. */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private int attempt;

    Backoff(Duration min, Duration max) {
        this.minNanos = Math.max(1, min.toNanos());
        this.maxNanos = Math.max(minNanos, max.toNanos());
    }

    long nextDelayNanos() {
        long step = minNanos << Math.min(attempt++, 30);
        if (step <= 0 || step > maxNanos) step = maxNanos;
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    }

    void reset() {
        attempt = 0;
    }

    int attempts() {
        return attempt;
    }
}
