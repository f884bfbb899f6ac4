package dst.server.backend;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A filter (nbdkit's {@code delay} filter in Java) that makes writes slow on purpose: for
 * fault-injection tests of fencing and timeouts, and to emulate a slow disk. With a count, only the
 * first {@code count} writes are delayed (a request stuck in the backend while later ones are fast is
 * exactly the case fencing exists for). Everything else passes through to the wrapped backend.
 */
public final class DelayFilter extends ForwardingBackend {
    private final Duration writeDelay;
    private final AtomicLong remaining;

    /** Delays the first {@code count} writes, or every write when {@code count} is 0. */
    public DelayFilter(Backend next, Duration writeDelay, long count) {
        super(next);
        this.writeDelay = writeDelay;
        this.remaining = new AtomicLong(count == 0 ? Long.MAX_VALUE : count);
    }

    private void pause() throws IOException {
        if (remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) <= 0) return;
        try {
            Thread.sleep(writeDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while delaying");
        }
    }

    /** It sleeps: never on an event loop, whatever the backend below does. */
    @Override
    public boolean neverBlocks() {
        return false;
    }

    @Override
    public String describe() {
        return next.describe() + " (writes delayed " + writeDelay.toMillis() + " ms)";
    }

    @Override
    public void write(long offset, ByteBuf src) throws IOException {
        pause();
        next.write(offset, src);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        pause();
        next.writeZeroes(offset, length);
    }
}
