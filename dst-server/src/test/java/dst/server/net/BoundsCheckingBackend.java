package dst.server.net;

import dst.server.backend.Backend;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A backend decorator for tests that records any access outside {@code [0, size)}: it must never happen. */
final class BoundsCheckingBackend implements Backend {
    private final Backend inner;
    final AtomicReference<String> violation = new AtomicReference<>();
    final AtomicLong writes = new AtomicLong();

    BoundsCheckingBackend(Backend inner) {
        this.inner = inner;
    }

    private void check(String op, long offset, long length) {
        if (offset < 0 || length < 0 || offset > inner.size() || length > inner.size() - offset) {
            violation.compareAndSet(null, op + " " + offset + "+" + length + " outside " + inner.size() + " bytes");
        }
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public boolean canTrim() {
        return inner.canTrim();
    }

    @Override
    public String describe() {
        return "bounds-checked " + inner.describe();
    }

    @Override
    public void read(long offset, ByteBuf dst, int length) throws IOException {
        check("read", offset, length);
        inner.read(offset, dst, length);
    }

    @Override
    public void write(long offset, ByteBuf src) throws IOException {
        check("write", offset, src.readableBytes());
        writes.incrementAndGet();
        inner.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        inner.flush();
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        check("trim", offset, length);
        inner.trim(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        check("writeZeroes", offset, length);
        inner.writeZeroes(offset, length);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
