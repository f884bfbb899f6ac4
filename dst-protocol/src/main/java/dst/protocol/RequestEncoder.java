package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Client side: {@link Request} to a header buffer followed by the payload itself (no copy: the
 * payload is passed on retained, and the Request is released by the encoder base class).
 */
public final class RequestEncoder extends MessageToMessageEncoder<Request> {
    private final boolean crc;

    public RequestEncoder(boolean crc) {
        super(Request.class);
        this.crc = crc;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Request r, List<Object> out) {
        ByteBuf payload = r.payload();
        int plen = payload.readableBytes();
        ByteBuf h = ctx.alloc().buffer(RequestHeader.SIZE);
        h.writeInt(RequestHeader.MAGIC);
        h.writeByte(r.opcode());
        h.writeByte(r.flags());
        h.writeShort(0);
        h.writeLong(r.transactionId());
        h.writeLong(r.offset());
        h.writeInt(r.length());
        h.writeInt(plen);
        h.writeInt(crc && plen > 0 ? Crc32c.of(payload, payload.readerIndex(), plen) : 0);
        h.writeInt(crc ? Crc32c.of(h, 0, RequestHeader.HEADER_CRC_OFFSET) : 0);
        out.add(h);
        if (plen > 0) {
            out.add(payload.retain());
        }
    }
}
