package dst.client.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress line redrawn on a terminal (stderr, at most 5 times a second); silent when stderr is not
 * a terminal, so logs and pipes stay clean. The final summary is printed by the caller.
 */
final class Progress {
    private final long total;
    private final long start = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final boolean enabled;
    private final PrintStream out = System.err;
    private volatile long lastDraw;

    Progress(long total, boolean wanted) {
        this.total = total;
        this.enabled = wanted && System.console() != null;
    }

    void add(long bytes) {
        long d = done.addAndGet(bytes);
        long now = System.nanoTime();
        if (enabled && now - lastDraw > 200_000_000L) {
            lastDraw = now;
            draw(d, now);
        }
    }

    private synchronized void draw(long d, long now) {
        int pct = total == 0 ? 100 : (int) (d * 100 / total);
        int bar = pct / 4;
        out.printf("\r[%-25s] %3d%% %s / %s  %s   ", "#".repeat(bar), pct, Human.bytes(d), Human.bytes(total),
                Human.rate(d, now - start));
        out.flush();
    }

    void finish() {
        if (enabled) {
            draw(done.get(), System.nanoTime());
            out.println();
        }
    }

    long elapsedNanos() {
        return System.nanoTime() - start;
    }
}
