package dst.client.net.nbd;

import dst.client.net.Answer;
import dst.client.net.Op;
import dst.protocol.Errno;
import dst.protocol.FrameException;
import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes NBD replies into {@link Answer}s, one per request, whatever the reply style:
 *
 * <pre>
 * simple:      u32 0x67446698, u32 error, u64 handle, then (READ, error 0) the request's length of data
 * structured:  u32 0x668e33ef, u16 flags, u16 type, u64 handle, u32 length, payload of length bytes
 *              OFFSET_DATA: u64 offset, data     OFFSET_HOLE: u64 offset, u32 size (zeros)
 *              ERROR / ERROR_OFFSET (type bit 15): u32 error, u16 message length, message [, u64 offset]
 *              BLOCK_STATUS: u32 context id, then per extent u32 length, u32 flags (STATE_HOLE, STATE_ZERO)
 *              NONE; the last chunk of a reply has flag DONE
 * extended:    u32 0x6e8a278c, u16 flags, u16 type, u64 handle, u64 offset, u64 length, payload (the same chunks;
 *              BLOCK_STATUS_EXT: u32 context id, u32 count, per extent u64 length, u64 flags)
 * </pre>
 * A structured READ is assembled from its chunks (one chunk that covers the whole range is passed on without
 * a copy). A reply with a bad magic, for a handle never sent, or with a chunk outside its request is a
 * connection error ({@link FrameException}): framing can no longer be trusted, nothing after it is decoded, and
 * the session resends on a new connection.
 * Replies to keepalives (negative handles) end here.
 *
 * <p>Ownership: READ data in an Answer is a retained slice of the input or the assembled buffer, which the
 * Answer owns; buffers of replies still being assembled are released when the connection goes.
 */
final class NbdReplyDecoder extends ByteToMessageDecoder {
    private final NbdInFlight inFlight;
    private final int maxChunk;
    /** A frame could not be trusted: nothing after it is decoded (not even again when the connection closes). */
    private boolean broken;

    /**
     * {@code maxRequest}: the largest request sent, which bounds every reply chunk this decoder accepts (at least
     * 1 MiB: a block status chunk of 128 Ki extents).
     */
    NbdReplyDecoder(NbdInFlight inFlight, int maxRequest) {
        this.inFlight = inFlight;
        this.maxChunk = Math.max(maxRequest, 1 << 20) + 4096;
        // A 1 MiB read reply arrives in ~16 socket reads: merging them copied every byte once more and churned
        // the pool with reallocated cumulations (2.3-3.3 s of client CPU per GB read through FUSE, 5x nbdfuse).
        // READ data is handed on as a slice of the composite, whose parts the FUSE reply writes in place.
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws CorruptedFrameException {
        if (broken) {
            in.skipBytes(in.readableBytes()); // the connection is closing: its framing is lost, say so once
            return;
        }
        try {
            decodeReplies(ctx, in, out);
        } catch (CorruptedFrameException e) {
            broken = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeReplies(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws CorruptedFrameException {
        while (in.readableBytes() >= 4) {
            int magic = in.getInt(in.readerIndex());
            boolean done;
            if (magic == Nbd.SIMPLE_REPLY_MAGIC) {
                done = simple(in, out);
            } else if (magic == Nbd.STRUCTURED_REPLY_MAGIC) {
                done = structured(ctx, in, out);
            } else if (magic == Nbd.EXTENDED_REPLY_MAGIC) {
                done = extended(ctx, in, out);
            } else {
                throw new CorruptedFrameException("bad NBD reply magic 0x" + Integer.toHexString(magic));
            }
            if (!done) return;
        }
    }

    /** Returns false when the reply is not complete yet. */
    private boolean simple(ByteBuf in, List<Object> out) throws CorruptedFrameException {
        if (in.readableBytes() < Nbd.SIMPLE_REPLY_SIZE) return false;
        int at = in.readerIndex();
        int error = in.getInt(at + 4);
        long handle = in.getLong(at + 8);
        NbdInFlight.Pending p = pending(handle);
        int data = p.op == Op.READ && error == 0 ? p.length : 0;
        if (in.readableBytes() < Nbd.SIMPLE_REPLY_SIZE + data) return false;
        in.skipBytes(Nbd.SIMPLE_REPLY_SIZE);
        inFlight.answered(handle);
        if (handle < 0) {
            in.skipBytes(data);
        } else if (error != 0) {
            out.add(Answer.error(handle, error, "NBD error " + Errno.name(error)));
        } else {
            out.add(Answer.ok(handle, data > 0 ? in.readRetainedSlice(data) : Unpooled.EMPTY_BUFFER));
        }
        return true;
    }

    private boolean structured(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws CorruptedFrameException {
        if (in.readableBytes() < Nbd.STRUCTURED_REPLY_SIZE) return false;
        int at = in.readerIndex();
        int flags = in.getUnsignedShort(at + 4);
        int type = in.getUnsignedShort(at + 6);
        long handle = in.getLong(at + 8);
        long length = in.getUnsignedInt(at + 16);
        if (length > maxChunk) throw new FrameException.TooLong("NBD reply chunk", length, maxChunk);
        if (in.readableBytes() < Nbd.STRUCTURED_REPLY_SIZE + length) return false;
        in.skipBytes(Nbd.STRUCTURED_REPLY_SIZE);
        chunk(ctx, flags, type, handle, in.readSlice((int) length), out);
        return true;
    }

    /** An extended header (NBD_OPT_EXTENDED_HEADERS): the same chunks with a 64-bit length and the request's offset. */
    private boolean extended(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws CorruptedFrameException {
        if (in.readableBytes() < Nbd.EXTENDED_REPLY_SIZE) return false;
        int at = in.readerIndex();
        int flags = in.getUnsignedShort(at + 4);
        int type = in.getUnsignedShort(at + 6);
        long handle = in.getLong(at + 8);
        long length = in.getLong(at + 24);
        if (length < 0 || length > maxChunk) throw new FrameException.TooLong("NBD reply chunk", length, maxChunk);
        if (in.readableBytes() < Nbd.EXTENDED_REPLY_SIZE + length) return false;
        in.skipBytes(Nbd.EXTENDED_REPLY_SIZE);
        chunk(ctx, flags, type, handle, in.readSlice((int) length), out);
        return true;
    }

    /** One chunk of a structured or extended reply; the last one (DONE) answers the request. */
    private void chunk(ChannelHandlerContext ctx, int flags, int type, long handle, ByteBuf chunk, List<Object> out) throws CorruptedFrameException {
        NbdInFlight.Pending p = pending(handle);
        if (type == Nbd.REPLY_TYPE_OFFSET_DATA) {
            data(ctx, p, chunk);
        } else if (type == Nbd.REPLY_TYPE_OFFSET_HOLE) {
            hole(ctx, p, chunk);
        } else if (type == Nbd.REPLY_TYPE_BLOCK_STATUS || type == Nbd.REPLY_TYPE_BLOCK_STATUS_EXT) {
            blockStatus(ctx, p, chunk, type == Nbd.REPLY_TYPE_BLOCK_STATUS_EXT);
        } else if ((type & Nbd.REPLY_TYPE_ERROR_BIT) != 0) {
            if (chunk.readableBytes() < 6) throw new CorruptedFrameException("short NBD error chunk (" + chunk.readableBytes() + " bytes, not at least 6)");
            int error = chunk.readInt();
            int msgLength = Math.min(chunk.readUnsignedShort(), chunk.readableBytes());
            if (p.error == 0) {
                p.error = error == 0 ? Errno.EIO : error;
                p.message = chunk.toString(chunk.readerIndex(), msgLength, StandardCharsets.UTF_8);
            }
        } // NONE, and chunk types we did not ask for (BLOCK_STATUS without a meta context), carry nothing for us
        if ((flags & Nbd.REPLY_FLAG_DONE) == 0) return;
        inFlight.answered(handle);
        ByteBuf data = p.data;
        p.data = null;
        if (handle < 0) {
            if (data != null) data.release();
        } else if (p.error != 0) {
            if (data != null) data.release();
            out.add(Answer.error(handle, p.error, p.message.isEmpty() ? "NBD error " + Errno.name(p.error) : p.message));
        } else if (p.op == Op.READ) {
            out.add(Answer.ok(handle, data != null ? data : zeros(ctx, p.length)));
        } else if (p.op == Op.BLOCK_STATUS) {
            out.add(Answer.ok(handle, data != null ? data : Unpooled.EMPTY_BUFFER));
        } else {
            if (data != null) data.release();
            out.add(Answer.ok(handle, Unpooled.EMPTY_BUFFER));
        }
    }

    private void data(ChannelHandlerContext ctx, NbdInFlight.Pending p, ByteBuf chunk) throws CorruptedFrameException {
        if (p.op != Op.READ) throw new CorruptedFrameException("NBD data chunk for a " + p.op + " request, which reads nothing");
        if (chunk.readableBytes() < 8) throw new CorruptedFrameException("short NBD data chunk (" + chunk.readableBytes() + " bytes, no offset)");
        long offset = chunk.readLong();
        int n = chunk.readableBytes();
        check(p, offset, n);
        if (p.data == null && offset == p.offset && n == p.length) {
            p.data = chunk.retainedSlice(); // the whole read in one chunk: no copy
            return;
        }
        if (!p.assembled) assemble(ctx, p);
        p.data.setBytes((int) (offset - p.offset), chunk, chunk.readerIndex(), n);
    }

    private void hole(ChannelHandlerContext ctx, NbdInFlight.Pending p, ByteBuf chunk) throws CorruptedFrameException {
        if (p.op != Op.READ) throw new CorruptedFrameException("NBD hole chunk for a " + p.op + " request, which reads nothing");
        if (chunk.readableBytes() < 12) throw new CorruptedFrameException("short NBD hole chunk (" + chunk.readableBytes() + " bytes, not 12)");
        long offset = chunk.readLong();
        long size = chunk.readUnsignedInt();
        check(p, offset, size);
        if (!p.assembled) assemble(ctx, p);
        p.data.setZero((int) (offset - p.offset), (int) size);
    }

    /**
     * The extents of a BLOCK_STATUS, as {@link Op#BLOCK_STATUS} answers them (u64 length, u32 zero); the first
     * chunk counts (a server sends one per context, and we asked for one). Compact: u32 id, (u32 length, u32
     * flags)*; extended: u32 id, u32 count, (u64 length, u64 flags)*.
     */
    private static void blockStatus(ChannelHandlerContext ctx, NbdInFlight.Pending p, ByteBuf chunk, boolean wide) throws CorruptedFrameException {
        int entry = wide ? 16 : 8;
        int head = wide ? 8 : 4;
        if (p.op != Op.BLOCK_STATUS || chunk.readableBytes() < head + entry || (chunk.readableBytes() - head) % entry != 0) {
            throw new CorruptedFrameException("bad NBD block status chunk");
        }
        if (p.data != null) return;
        chunk.skipBytes(head); // context id (the one we asked for) [, count: the length says it]
        int n = chunk.readableBytes() / entry;
        p.data = ctx.alloc().buffer(n * 12);
        for (int i = 0; i < n; i++) {
            long length = wide ? chunk.readLong() : chunk.readUnsignedInt();
            long state = wide ? chunk.readLong() : chunk.readUnsignedInt();
            if (length <= 0) throw new CorruptedFrameException("NBD block status extent of " + length + " bytes");
            p.data.writeLong(length).writeInt((state & Nbd.STATE_ZERO) != 0 ? 1 : 0);
        }
    }

    /** Makes {@code p.data} a zeroed buffer of the request's length, holding what arrived so far (a whole-range chunk). */
    private static void assemble(ChannelHandlerContext ctx, NbdInFlight.Pending p) {
        ByteBuf b = zeros(ctx, p.length);
        if (p.data != null) {
            b.setBytes(0, p.data, p.data.readerIndex(), p.data.readableBytes());
            p.data.release();
        }
        p.data = b;
        p.assembled = true;
    }

    private static ByteBuf zeros(ChannelHandlerContext ctx, int length) {
        ByteBuf b = ctx.alloc().buffer(length, length);
        b.writeZero(length);
        return b;
    }

    private static void check(NbdInFlight.Pending p, long offset, long n) throws CorruptedFrameException {
        if (offset < p.offset || n > p.length || offset - p.offset > p.length - n) {
            throw new CorruptedFrameException("NBD reply chunk " + offset + "+" + n + " outside its request " + p.offset + "+" + p.length);
        }
    }

    private NbdInFlight.Pending pending(long handle) throws CorruptedFrameException {
        NbdInFlight.Pending p = inFlight.get(handle);
        if (p == null) throw new CorruptedFrameException("NBD reply for handle " + handle + ", which was never sent or is answered already");
        return p;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        inFlight.releaseAll();
    }
}
