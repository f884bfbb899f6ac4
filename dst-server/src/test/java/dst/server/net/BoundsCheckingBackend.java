package dst.server.net;

import dst.server.backend.Backend;
import dst.server.backend.ForwardingBackend;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A backend decorator for tests that records any access outside {@code [0, size)}: it must never happen. */
final class BoundsCheckingBackend extends ForwardingBackend {
    final AtomicReference<String> violation = new AtomicReference<>();
    final AtomicLong writes = new AtomicLong();

    BoundsCheckingBackend(Backend inner) {
        super(inner);
    }

    private void check(String op, long offset, long length) {
        if (offset < 0 || length < 0 || offset > next.size() || length > next.size() - offset) {
            violation.compareAndSet(null, op + " " + offset + "+" + length + " outside " + next.size() + " bytes");
        }
    }

    @Override
    public String describe() {
        return "bounds-checked " + next.describe();
    }

    @Override
    public void read(long offset, ByteBuf dst, int length) throws IOException {
        check("read", offset, length);
        next.read(offset, dst, length);
    }

    @Override
    public void write(long offset, ByteBuf src) throws IOException {
        check("write", offset, src.readableBytes());
        writes.incrementAndGet();
        next.write(offset, src);
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        check("trim", offset, length);
        next.trim(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        check("writeZeroes", offset, length);
        next.writeZeroes(offset, length);
    }
}
