package dst.client.net.nbd;

import dst.client.net.Op;
import dst.client.net.WireRequest;
import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Encodes {@link WireRequest}s (and {@link NbdKeepalive}) as NBD requests; the transaction id is the NBD
 * handle (cookie). Each request is recorded in the connection's {@link NbdInFlight} for the reply decoder.
 *
 * <pre>
 *  0      4       6      8        16       24      28
 * +------+-------+------+--------+--------+-------+--------------+
 * |magic |flags  |type  |handle  |offset  |length | WRITE: data  |
 * |u32   |u16    |u16   |u64     |u64     |u32    |              |
 * +------+-------+------+--------+--------+-------+--------------+
 * extended headers: magic 0x21e41c71 and a u64 length (32 bytes)
 * </pre>
 * Ownership: the header is a new buffer; a WRITE's payload goes out as the message's own reference (retained
 * here, the base class releases the WireRequest), so write data is never copied.
 */
final class NbdRequestEncoder extends MessageToMessageEncoder<Object> {
    private final NbdInFlight inFlight;
    private final int keepaliveLength;
    private final boolean extended;

    /** {@code keepaliveLength}: bytes the keepalive reads at offset 0 (one block, within the export). */
    NbdRequestEncoder(NbdInFlight inFlight, int keepaliveLength, boolean extended) {
        this.inFlight = inFlight;
        this.keepaliveLength = keepaliveLength;
        this.extended = extended;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof WireRequest || msg instanceof NbdKeepalive;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof NbdKeepalive) {
            long id = inFlight.keepaliveId();
            inFlight.sent(id, Op.READ, 0, keepaliveLength);
            out.add(header(ctx, 0, Nbd.CMD_READ, id, 0, keepaliveLength));
            return;
        }
        WireRequest r = (WireRequest) msg;
        inFlight.sent(r.id(), r.op(), r.offset(), r.length());
        // Extended headers: a WRITE says its length is the payload's (PAYLOAD_LEN), as the extension requires.
        int flags = (r.fua() ? Nbd.CMD_FLAG_FUA : 0) | (extended && r.op() == Op.WRITE ? Nbd.CMD_FLAG_PAYLOAD_LEN : 0);
        out.add(header(ctx, flags, command(r.op()), r.id(), r.offset(), r.length()));
        if (r.op() == Op.WRITE) out.add(r.payload().retain());
    }

    private ByteBuf header(ChannelHandlerContext ctx, int flags, int command, long handle, long offset, int length) {
        if (extended) {
            return ctx.alloc().buffer(Nbd.EXTENDED_REQUEST_SIZE).writeInt(Nbd.EXTENDED_REQUEST_MAGIC).writeShort(flags).writeShort(command)
                    .writeLong(handle).writeLong(offset).writeLong(Integer.toUnsignedLong(length));
        }
        return ctx.alloc().buffer(Nbd.REQUEST_SIZE).writeInt(Nbd.REQUEST_MAGIC).writeShort(flags).writeShort(command)
                .writeLong(handle).writeLong(offset).writeInt(length);
    }

    static int command(Op op) {
        return switch (op) {
            case READ -> Nbd.CMD_READ;
            case WRITE -> Nbd.CMD_WRITE;
            case FLUSH -> Nbd.CMD_FLUSH;
            case TRIM -> Nbd.CMD_TRIM;
            case WRITE_ZEROES -> Nbd.CMD_WRITE_ZEROES;
            case BLOCK_STATUS -> Nbd.CMD_BLOCK_STATUS;
            case RELEASE -> throw new IllegalArgumentException("NBD has no RELEASE: its server ends a session with its connection");
        };
    }
}
