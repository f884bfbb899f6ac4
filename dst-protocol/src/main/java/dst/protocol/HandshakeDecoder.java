package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Decodes handshake frames into {@link HandshakeFrame}s. Handshake frames are always checksummed,
 * whatever the data phase negotiates.
 *
 * <pre>
 * +--------+---------+--------+-------------+--------+------------------------------+
 * | magic  | version | type   | body length | crc32c | body: options                |
 * | u32    | u16     | u16    | u32         | u32    | (u16 tag, u16 len, value)*   |
 * +--------+---------+--------+-------------+--------+------------------------------+
 *  0        4         6        8             12       16
 * magic = 0x44535448 ("DSTH"); crc32c covers bytes 0..11 then the body.
 * </pre>
 *
 * Every length is checked against {@link #MAX_BODY} before anything is read or allocated; a bad
 * frame raises a {@link FrameException} subclass and the decoder then ignores the rest of the
 * stream (framing is lost; the connection is about to close).
 */
public final class HandshakeDecoder extends ByteToMessageDecoder {
    public static final int MAGIC = 0x44535448;
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 16;
    public static final int MAX_BODY = 64 * 1024;

    static final int VERSION_OFFSET = 4;
    static final int TYPE_OFFSET = 6;
    static final int BODY_LENGTH_OFFSET = 8;
    static final int CRC_OFFSET = 12;

    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < HEADER_SIZE) {
            return;
        }
        int start = in.readerIndex();
        try {
            int magic = in.getInt(start);
            if (magic != MAGIC) throw new FrameException.BadMagic(MAGIC, magic);
            int version = in.getUnsignedShort(start + VERSION_OFFSET);
            if (version != VERSION) {
                throw new FrameException.Unsupported("handshake format version " + version + " not supported (this end speaks " + VERSION + ")");
            }
            long bodyLength = in.getUnsignedInt(start + BODY_LENGTH_OFFSET);
            if (bodyLength > MAX_BODY) throw new FrameException.TooLong("handshake body", bodyLength, MAX_BODY);
            if (in.readableBytes() < HEADER_SIZE + bodyLength) {
                return;
            }
            int body = (int) bodyLength;
            CRC32C crc = new CRC32C();
            Crc32c.update(crc, in, start, CRC_OFFSET);
            Crc32c.update(crc, in, start + HEADER_SIZE, body);
            int expected = (int) crc.getValue();
            int actual = in.getInt(start + CRC_OFFSET);
            if (expected != actual) throw new FrameException.HeaderChecksum(expected, actual);
            int type = in.getUnsignedShort(start + TYPE_OFFSET);
            out.add(new HandshakeFrame(type, parseOptions(in, start + HEADER_SIZE, body)));
            in.skipBytes(HEADER_SIZE + body);
        } catch (FrameException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private static List<HandshakeFrame.Option> parseOptions(ByteBuf in, int index, int length) {
        List<HandshakeFrame.Option> options = new ArrayList<>();
        int end = index + length;
        while (index < end) {
            if (end - index < 4) throw new FrameException.MalformedOption("truncated option header in handshake body");
            int tag = in.getUnsignedShort(index);
            int len = in.getUnsignedShort(index + 2);
            if (end - index - 4 < len) {
                throw new FrameException.MalformedOption("option 0x" + Integer.toHexString(tag) + " length " + len + " runs past the body");
            }
            byte[] value = new byte[len];
            in.getBytes(index + 4, value);
            options.add(new HandshakeFrame.Option(tag, value));
            index += 4 + len;
        }
        return options;
    }
}
