package dst.server.backend;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.time.Duration;

/**
 * A filter (nbdkit's {@code delay} filter in Java) that makes writes slow on purpose: for
 * fault-injection tests of fencing and timeouts, and to emulate a slow disk. With a count, only the
 * first {@code count} writes are delayed (a request stuck in the backend while later ones are fast is
 * exactly the case fencing exists for). Everything else passes through to the wrapped backend.
 */
public final class DelayFilter implements Backend {
    private final Backend next;
    private final Duration writeDelay;
    private final java.util.concurrent.atomic.AtomicLong remaining;

    /** Delays the first {@code count} writes, or every write when {@code count} is 0. */
    public DelayFilter(Backend next, Duration writeDelay, long count) {
        this.next = next;
        this.writeDelay = writeDelay;
        this.remaining = new java.util.concurrent.atomic.AtomicLong(count == 0 ? Long.MAX_VALUE : count);
    }

    private void pause() throws IOException {
        if (remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) <= 0) return;
        try {
            Thread.sleep(writeDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while delaying");
        }
    }

    @Override
    public long size() {
        return next.size();
    }

    @Override
    public boolean canTrim() {
        return next.canTrim();
    }

    @Override
    public String describe() {
        return next.describe() + " (writes delayed " + writeDelay.toMillis() + " ms)";
    }

    @Override
    public void read(long offset, ByteBuf dst, int length) throws IOException {
        next.read(offset, dst, length);
    }

    @Override
    public void write(long offset, ByteBuf src) throws IOException {
        pause();
        next.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        next.flush();
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        next.trim(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        pause();
        next.writeZeroes(offset, length);
    }

    @Override
    public void close() throws IOException {
        next.close();
    }
}
