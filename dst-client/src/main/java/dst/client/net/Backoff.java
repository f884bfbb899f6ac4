package dst.client.net;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: the first attempt after a healthy connection is immediate (a reset or a corrupt
 * frame is usually over at once), then exponential steps with jitter between half and all of the step.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private int attempt;

    Backoff(Duration min, Duration max) {
        this.minNanos = Math.max(1, min.toNanos());
        this.maxNanos = Math.max(minNanos, max.toNanos());
    }

    long nextDelayNanos() {
        if (attempt++ == 0) return 0;
        long step = minNanos << Math.min(attempt - 2, 30);
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
