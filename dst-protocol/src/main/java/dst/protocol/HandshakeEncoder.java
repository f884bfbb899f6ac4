package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import java.util.zip.CRC32C;

/** Encodes {@link HandshakeFrame}s; the layout is drawn in {@link HandshakeDecoder}. */
@ChannelHandler.Sharable
public final class HandshakeEncoder extends MessageToByteEncoder<HandshakeFrame> {
    public static final HandshakeEncoder INSTANCE = new HandshakeEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, HandshakeFrame frame, ByteBuf out) {
        encodeTo(frame, out);
    }

    /** Writes {@code frame} at the writer index of {@code out}. Also used by tests and fuzzers. */
    public static void encodeTo(HandshakeFrame frame, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(HandshakeDecoder.MAGIC);
        out.writeShort(HandshakeDecoder.VERSION);
        out.writeShort(frame.type());
        out.writeInt(0); // body length, patched below
        out.writeInt(0); // crc, patched below
        int bodyStart = out.writerIndex();
        for (HandshakeFrame.Option o : frame.options()) {
            out.writeShort(o.tag());
            out.writeShort(o.value().length);
            out.writeBytes(o.value());
        }
        int bodyLength = out.writerIndex() - bodyStart;
        if (bodyLength > HandshakeDecoder.MAX_BODY) {
            throw new IllegalArgumentException("handshake body too long: " + bodyLength);
        }
        out.setInt(start + HandshakeDecoder.BODY_LENGTH_OFFSET, bodyLength);
        CRC32C crc = new CRC32C();
        Crc32c.update(crc, out, start, HandshakeDecoder.CRC_OFFSET);
        Crc32c.update(crc, out, bodyStart, bodyLength);
        out.setInt(start + HandshakeDecoder.CRC_OFFSET, (int) crc.getValue());
    }
}
