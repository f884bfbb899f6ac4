package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

/** Test helper: runs messages through real encoders in an {@link EmbeddedChannel} and hands back the bytes. */
final class Wire {
    private Wire() {
    }

    /** Every byte {@code encoder} writes for {@code msg}, as one buffer the caller must release. */
    static ByteBuf encode(ChannelHandler encoder, Object msg) {
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        ch.writeOutbound(msg);
        CompositeByteBuf all = Unpooled.compositeBuffer();
        for (ByteBuf part; (part = ch.readOutbound()) != null; ) {
            all.addComponent(true, part);
        }
        ch.finishAndReleaseAll();
        return all;
    }

    static ByteBuf request(Request r, boolean crc) {
        return encode(new RequestEncoder(crc), r);
    }

    static ByteBuf reply(Reply r, boolean crc) {
        return encode(new ReplyEncoder(crc), r);
    }

    static ByteBuf handshake(HandshakeFrame f) {
        return encode(HandshakeEncoder.INSTANCE, f);
    }

    /** A copy of {@code buf}'s readable bytes as a heap array; {@code buf} is released. */
    static byte[] drain(ByteBuf buf) {
        try {
            byte[] b = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), b);
            return b;
        } finally {
            buf.release();
        }
    }

    static ByteBuf bytes(int... values) {
        ByteBuf b = Unpooled.buffer(values.length);
        for (int v : values) b.writeByte(v);
        return b;
    }
}
