package dst.client.frontend.fuse;

import dst.nativebridge.NativeException;
import dst.nativebridge.fuse.FuseDevice;
import dst.runtime.buffers.Buffers;
import io.netty.buffer.ByteBuf;

import java.util.logging.Level;
import java.util.logging.Logger;

import static dst.client.frontend.fuse.FuseKernelAbi.OUT_HEADER_SIZE;

/**
 * Writes replies to the kernel: a {@code fuse_out_header}, then a small struct built by the caller, then bulk
 * data (a read's bytes) from a separate buffer in the same {@code writev}. Called from reader threads and from
 * whichever thread completes a BlockDevice future; every buffer handed in is released here, on every path.
 */
final class FuseReplier {
    private static final Logger LOG = Logger.getLogger(FuseReplier.class.getName());

    private final FuseDevice device;

    FuseReplier(FuseDevice device) {
        this.device = device;
    }

    /** A reply buffer for request {@code unique}, its header written (length filled in by {@link #send}); append the struct. */
    ByteBuf begin(long unique, int structSize) {
        ByteBuf b = Buffers.ALLOCATOR.directBuffer(OUT_HEADER_SIZE + structSize);
        b.writeIntLE(0).writeIntLE(0).writeLongLE(unique);
        return b;
    }

    void send(ByteBuf reply) {
        send(reply, null);
    }

    /** Sends {@code reply} followed by {@code data} (may be null) and releases both. */
    void send(ByteBuf reply, ByteBuf data) {
        ByteBuf bulk = data;
        try {
            if (bulk != null && (bulk.nioBufferCount() > FuseDevice.MAX_DATA_BUFFERS || !bulk.isDirect())) {
                bulk = Buffers.ALLOCATOR.directBuffer(data.readableBytes()).writeBytes(data);
                data.release();
            }
            int length = reply.readableBytes() + (bulk == null ? 0 : bulk.readableBytes());
            reply.setIntLE(0, length);
            if (bulk == null) {
                device.reply(reply.nioBuffer());
            } else {
                device.reply(reply.nioBuffer(), bulk.nioBuffers()); // views of a composite's parts: no copy
            }
        } catch (NativeException e) {
            LOG.log(Level.SEVERE, "could not answer the kernel's FUSE request " + reply.getLongLE(8), e);
        } finally {
            reply.release();
            if (bulk != null) bulk.release();
        }
    }

    /**
     * Tells the kernel that the attributes of inode {@code node} changed (FUSE_NOTIFY_INVAL_INODE with offset -1:
     * attributes only, the page cache stays): its next stat asks again (GETATTR) and takes the new size.
     */
    void invalidateAttributes(long node) {
        ByteBuf b = begin(0, FuseKernelAbi.NOTIFY_INVAL_INODE_OUT_SIZE);
        b.setIntLE(4, FuseKernelAbi.FUSE_NOTIFY_INVAL_INODE);
        b.writeLongLE(node).writeLongLE(-1).writeLongLE(0);
        send(b);
    }

    /** Fails request {@code unique} with {@code errno} (positive, as in errno.h). */
    void error(long unique, int errno) {
        ByteBuf b = begin(unique, 0);
        b.setIntLE(4, -errno);
        send(b);
    }
}
