package dst.server.backend;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.List;

/**
 * A {@link Backend} that hands every call to the backend it wraps: the base of filters (nbdkit's
 * {@code next} layer), so a filter overrides only the calls its one behaviour changes. A filter that may
 * block must also override {@link #neverBlocks()} and {@link #readNow}, which are forwarded like everything else.
 */
public abstract class ForwardingBackend implements Backend {
    protected final Backend next;

    protected ForwardingBackend(Backend next) {
        this.next = java.util.Objects.requireNonNull(next, "next");
    }

    @Override
    public long size() {
        return next.size();
    }

    @Override
    public void resize(long newSize) throws IOException {
        next.resize(newSize);
    }

    @Override
    public boolean canTrim() {
        return next.canTrim();
    }

    @Override
    public boolean neverBlocks() {
        return next.neverBlocks();
    }

    @Override
    public boolean canMultiConn() {
        return next.canMultiConn();
    }

    @Override
    public boolean zeroesFast() {
        return next.zeroesFast();
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        return next.extents(offset, length);
    }

    @Override
    public String describe() {
        return next.describe();
    }

    @Override
    public void read(long offset, ByteBuf dst, int length) throws IOException {
        next.read(offset, dst, length);
    }

    @Override
    public boolean readNow(long offset, ByteBuf dst, int length) throws IOException {
        return next.readNow(offset, dst, length);
    }

    @Override
    public void write(long offset, ByteBuf src) throws IOException {
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
        next.writeZeroes(offset, length);
    }

    @Override
    public void close() throws IOException {
        next.close();
    }
}
