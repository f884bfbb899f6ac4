package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/** Server side: {@link Reply} to a header buffer followed by the payload (passed on retained, not copied). */
public final class ReplyEncoder extends MessageToMessageEncoder<Reply> {
    private final boolean crc;

    public ReplyEncoder(boolean crc) {
        super(Reply.class);
        this.crc = crc;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Reply r, List<Object> out) {
        ByteBuf payload = r.payload();
        int plen = payload.readableBytes();
        ByteBuf h = ctx.alloc().buffer(ReplyHeader.SIZE);
        h.writeInt(ReplyHeader.MAGIC);
        h.writeByte(r.opcode());
        h.writeByte(0);
        h.writeShort(0);
        h.writeLong(r.transactionId());
        h.writeInt(r.status());
        h.writeInt(plen);
        h.writeInt(crc && plen > 0 ? Crc32c.of(payload, payload.readerIndex(), plen) : 0);
        h.writeInt(crc ? Crc32c.of(h, 0, ReplyHeader.HEADER_CRC_OFFSET) : 0);
        out.add(h);
        if (plen > 0) {
            out.add(payload.retain());
        }
    }
}
