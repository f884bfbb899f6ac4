package dst.client.core;

import dst.protocol.ExportInfo;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.CompletableFuture;

/**
 * A {@link BlockDevice} that hands every call to the device it wraps: the base of client-side filters
 * (write-back cache, read-ahead), so each overrides only the calls its one behaviour changes. Ownership and
 * threading are the wrapped device's: a buffer passed in is passed on, a buffer returned is the caller's.
 */
public abstract class ForwardingBlockDevice implements BlockDevice {
    protected final BlockDevice disk;

    protected ForwardingBlockDevice(BlockDevice disk) {
        this.disk = java.util.Objects.requireNonNull(disk, "disk");
    }

    @Override
    public ExportInfo info() {
        return disk.info();
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        return disk.read(offset, length);
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        return disk.write(offset, data, fua);
    }

    @Override
    public CompletableFuture<Void> flush() {
        return disk.flush();
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length) {
        return disk.trim(offset, length);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length) {
        return disk.writeZeroes(offset, length);
    }

    @Override
    public void onResize(java.util.function.LongConsumer listener) {
        disk.onResize(listener);
    }

    @Override
    public DeviceStats stats() {
        return disk.stats();
    }

    @Override
    public void close() {
        disk.close();
    }
}
