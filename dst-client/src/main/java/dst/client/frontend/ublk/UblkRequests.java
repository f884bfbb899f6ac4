package dst.client.frontend.ublk;

import dst.client.core.BlockDevice;
import dst.nativebridge.ublk.uapi.UblksrvIoDesc;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.runtime.buffers.Buffers;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Turns one ublk request (op, sectors, the tag's buffer) into a {@link BlockDevice} call, and its
 * outcome into the result the kernel expects: bytes done, or {@code -errno}.
 */
final class UblkRequests {
    /** Where a request's result goes; called once per request, from any thread. */
    interface Done {
        void done(int tag, int result);
    }

    private final BlockDevice device;
    private final Done done;

    UblkRequests(BlockDevice device, Done done) {
        this.device = device;
        this.done = done;
    }

    /**
     * Starts the request. {@code buffer} is the tag's buffer (position 0): writes are copied out of it
     * (see {@link #copyOut}), reads are copied into it before {@code done} is called.
     */
    void submit(int tag, int opFlags, long startSector, int nrSectors, ByteBuffer buffer) {
        long offset = startSector << 9;
        int length = nrSectors << 9;
        CompletableFuture<?> f;
        try {
            f = switch (opFlags & 0xff) {
                case UblksrvIoDesc.UBLK_IO_OP_READ -> device.read(offset, length).thenApply(data -> {
                    try {
                        data.getBytes(data.readerIndex(), buffer.duplicate().clear().limit(length));
                    } finally {
                        data.release();
                    }
                    return null;
                });
                case UblksrvIoDesc.UBLK_IO_OP_WRITE -> device.write(offset, copyOut(buffer, length),
                        (opFlags & UblksrvIoDesc.UBLK_IO_F_FUA) != 0);
                case UblksrvIoDesc.UBLK_IO_OP_FLUSH -> device.flush();
                case UblksrvIoDesc.UBLK_IO_OP_DISCARD -> device.trim(offset, length);
                case UblksrvIoDesc.UBLK_IO_OP_WRITE_ZEROES -> device.writeZeroes(offset, length);
                default -> CompletableFuture.failedFuture(new DstException(Errno.EOPNOTSUPP, "ublk op " + (opFlags & 0xff)));
            };
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        int ok = (opFlags & 0xff) == UblksrvIoDesc.UBLK_IO_OP_FLUSH ? 0 : length;
        f.whenComplete((v, err) -> done.done(tag, err == null ? ok : -DstException.errnoOf(err)));
    }

    /**
     * The write's data, copied out of the tag's buffer. {@link BlockDevice#write} takes ownership and may
     * keep the data after completing (a write-back cache acknowledges from memory), while the kernel reuses
     * the tag's buffer as soon as the request is committed: handing over the tag's memory itself would let
     * the next request overwrite data still queued for the server. One memcpy, small next to the network.
     */
    private static ByteBuf copyOut(ByteBuffer buffer, int length) {
        ByteBuf data = Buffers.ALLOCATOR.directBuffer(length, length);
        data.writeBytes(buffer.duplicate().clear().limit(length));
        return data;
    }
}
