package dst.client.frontend.ublk;

import dst.client.core.BlockDevice;
import dst.nativebridge.ublk.uapi.UblksrvIoDesc;
import dst.protocol.DstException;
import dst.protocol.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

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
     * Starts the request. {@code buffer} is the tag's buffer (position 0): writes are sent from it
     * without a copy, reads are copied into it before {@code done} is called.
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
                case UblksrvIoDesc.UBLK_IO_OP_WRITE -> device.write(offset, wrap(buffer, length),
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

    /** A ByteBuf over the tag's buffer that never frees it: the memory belongs to the queue. */
    private static ByteBuf wrap(ByteBuffer buffer, int length) {
        return Unpooled.wrappedBuffer(buffer.duplicate().clear().limit(length));
    }
}
