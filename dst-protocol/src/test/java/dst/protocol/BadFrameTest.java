package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad frame raises its own named {@link FrameException} carrying the errno the peer is
 * told, before anything is allocated for it; after one, the decoder ignores the rest of the stream.
 */
class BadFrameTest {
    private static final int MAX = 64 * 1024;

    private static ByteBuf write(int len) {
        byte[] data = new byte[len];
        for (int i = 0; i < len; i++) data[i] = (byte) i;
        return Wire.request(new Request(Opcode.WRITE, 0, 77, 0, len, Unpooled.wrappedBuffer(data)), true);
    }

    private static ByteBuf mutate(ByteBuf frame, Consumer<ByteBuf> change) {
        ByteBuf copy = Unpooled.buffer(frame.readableBytes()).writeBytes(frame);
        frame.release();
        change.accept(copy);
        return copy;
    }

    private static <T extends FrameException> T assertRejected(Class<T> kind, int errno, EmbeddedChannel ch, ByteBuf wire) {
        T e = assertThrows(kind, () -> ch.writeInbound(wire));
        assertEquals(errno, e.errno(), e.getMessage());
        assertNull(ch.readInbound(), "nothing decoded from a bad frame");
        // Framing is lost: even a perfect frame afterwards is ignored, and nothing is left buffered.
        assertFalse(ch.writeInbound(Wire.request(new Request(Opcode.FLUSH, 0, 1, 0, 0), true)));
        assertFalse(ch.finish());
        return e;
    }

    @Test
    void requestWithBadMagic() {
        var e = assertRejected(FrameException.BadMagic.class, Errno.EPROTO, new EmbeddedChannel(new RequestDecoder(MAX, true)),
                mutate(write(10), b -> b.setInt(0, 0x12345678)));
        assertTrue(e.getMessage().contains("0x12345678"), e.getMessage());
    }

    @Test
    void badMagicIsCaughtEvenWithoutCrc32c() {
        assertRejected(FrameException.BadMagic.class, Errno.EPROTO, new EmbeddedChannel(new RequestDecoder(MAX, false)),
                Wire.bytes('G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1',
                        '\r', '\n', 'H', 'o', 's', 't', ':', ' ', 'x', '\r', '\n', '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void replyWithBadMagic() {
        ByteBuf wire = mutate(Wire.reply(Reply.ok(Opcode.FLUSH, 1), true), b -> b.setInt(0, RequestHeader.MAGIC));
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(MAX, true));
        assertThrows(FrameException.BadMagic.class, () -> ch.writeInbound(wire));
        assertFalse(ch.finish());
    }

    @Test
    void requestHeaderCrcMismatch() {
        assertRejected(FrameException.HeaderChecksum.class, Errno.EBADMSG, new EmbeddedChannel(new RequestDecoder(MAX, true)),
                mutate(write(10), b -> b.setByte(RequestHeader.OFFSET_OFFSET + 3, b.getByte(RequestHeader.OFFSET_OFFSET + 3) ^ 0x10)));
    }

    @Test
    void headerCrcMismatchIsCheckedBeforeTheLength() {
        // A corrupted length must not make the decoder wait for (or allocate) a huge payload.
        assertRejected(FrameException.HeaderChecksum.class, Errno.EBADMSG, new EmbeddedChannel(new RequestDecoder(MAX, true)),
                mutate(write(10), b -> b.setInt(RequestHeader.PAYLOAD_LENGTH_OFFSET, MAX - 1)));
    }

    @Test
    void replyHeaderCrcMismatch() {
        ByteBuf wire = mutate(Wire.reply(Reply.ok(Opcode.FLUSH, 1), true), b -> b.setInt(ReplyHeader.STATUS_OFFSET, Errno.EIO));
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(MAX, true));
        var e = assertThrows(FrameException.HeaderChecksum.class, () -> ch.writeInbound(wire));
        assertEquals(Errno.EBADMSG, e.errno());
        assertFalse(ch.finish());
    }

    @Test
    void withoutCrc32cACorruptHeaderIsNotDetected() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(MAX, false));
        ch.writeInbound(mutate(Wire.request(new Request(Opcode.FLUSH, 0, 1, 0, 0), false),
                b -> b.setLong(RequestHeader.TRANSACTION_ID_OFFSET, 2)));
        Request r = ch.readInbound();
        assertEquals(2, r.transactionId());
        r.release();
        assertFalse(ch.finish());
    }

    @Test
    void requestPayloadCrcMismatch() {
        var e = assertRejected(FrameException.PayloadChecksum.class, Errno.EBADMSG, new EmbeddedChannel(new RequestDecoder(MAX, true)),
                mutate(write(100), b -> b.setByte(RequestHeader.SIZE + 50, b.getByte(RequestHeader.SIZE + 50) ^ 1)));
        assertTrue(e.getMessage().contains("transaction 77"), e.getMessage());
    }

    @Test
    void replyPayloadCrcMismatch() {
        ByteBuf wire = mutate(Wire.reply(new Reply(Opcode.READ, 5, 0, Wire.bytes(1, 2, 3, 4)), true),
                b -> b.setByte(ReplyHeader.SIZE + 3, 0));
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(MAX, true));
        assertThrows(FrameException.PayloadChecksum.class, () -> ch.writeInbound(wire));
        assertFalse(ch.finish());
    }

    @Test
    void requestPayloadOverTheNegotiatedMaximumIsRefusedFromTheHeaderAlone() {
        ByteBuf full = write(4097);
        ByteBuf headerOnly = full.readRetainedSlice(RequestHeader.SIZE);
        full.release();
        var e = assertRejected(FrameException.TooLong.class, Errno.EFBIG, new EmbeddedChannel(new RequestDecoder(4096, true)), headerOnly);
        assertTrue(e.getMessage().contains("4097") && e.getMessage().contains("4096"), e.getMessage());
    }

    @Test
    void payloadAtExactlyTheMaximumIsAccepted() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(4096, true));
        ch.writeInbound(write(4096));
        Request r = ch.readInbound();
        assertEquals(4096, r.payload().readableBytes());
        r.release();
        assertFalse(ch.finish());
    }

    @Test
    void replyPayloadOverTheMaximumIsRefused() {
        ByteBuf wire = mutate(Wire.reply(Reply.ok(Opcode.READ, 1), false), b -> b.setInt(ReplyHeader.PAYLOAD_LENGTH_OFFSET, -1));
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(MAX, false));
        var e = assertThrows(FrameException.TooLong.class, () -> ch.writeInbound(wire));
        assertTrue(e.getMessage().contains("4294967295"), "length is unsigned: " + e.getMessage());
        assertFalse(ch.finish());
    }

    @Test
    void handshakeWithBadMagic() {
        ByteBuf wire = Wire.request(new Request(Opcode.FLUSH, 0, 1, 0, 0), true); // data frame during the handshake
        assertRejected(FrameException.BadMagic.class, Errno.EPROTO, new EmbeddedChannel(new HandshakeDecoder()), wire);
    }

    @Test
    void handshakeCrcMismatchInTheBody() {
        ByteBuf wire = mutate(Wire.handshake(new Hello("disk", 0, 0, 4096, 0, "t").toFrame()),
                b -> b.setByte(b.writerIndex() - 1, b.getByte(b.writerIndex() - 1) ^ 0x40));
        assertRejected(FrameException.HeaderChecksum.class, Errno.EBADMSG, new EmbeddedChannel(new HandshakeDecoder()), wire);
    }

    @Test
    void handshakeCrcMismatchInTheHeader() {
        ByteBuf wire = mutate(Wire.handshake(new Hello("disk", 0, 0, 4096, 0, "t").toFrame()),
                b -> b.setShort(HandshakeDecoder.TYPE_OFFSET, HandshakeFrame.WELCOME));
        assertRejected(FrameException.HeaderChecksum.class, Errno.EBADMSG, new EmbeddedChannel(new HandshakeDecoder()), wire);
    }

    @Test
    void handshakeBodyTooLong() {
        ByteBuf header = Unpooled.buffer().writeInt(HandshakeDecoder.MAGIC).writeShort(1).writeShort(HandshakeFrame.HELLO)
                .writeInt(HandshakeDecoder.MAX_BODY + 1).writeInt(0);
        assertRejected(FrameException.TooLong.class, Errno.EFBIG, new EmbeddedChannel(new HandshakeDecoder()), header);
    }

    @Test
    void handshakeWithUnknownFormatVersion() {
        ByteBuf wire = mutate(Wire.handshake(new Hello("disk", 0, 0, 4096, 0, "t").toFrame()),
                b -> b.setShort(HandshakeDecoder.VERSION_OFFSET, 2));
        var e = assertRejected(FrameException.Unsupported.class, Errno.EPROTO, new EmbeddedChannel(new HandshakeDecoder()), wire);
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    /** A handshake frame with a correct crc around the given body. */
    private static ByteBuf handshakeWithBody(int... body) {
        ByteBuf b = Unpooled.buffer().writeInt(HandshakeDecoder.MAGIC).writeShort(1).writeShort(HandshakeFrame.HELLO)
                .writeInt(body.length).writeInt(0);
        for (int v : body) b.writeByte(v);
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        Crc32c.update(c, b, 0, HandshakeDecoder.CRC_OFFSET);
        Crc32c.update(c, b, HandshakeDecoder.HEADER_SIZE, body.length);
        b.setInt(HandshakeDecoder.CRC_OFFSET, (int) c.getValue());
        return b;
    }

    @Test
    void truncatedOptionHeader() {
        assertRejected(FrameException.MalformedOption.class, Errno.EPROTO, new EmbeddedChannel(new HandshakeDecoder()),
                handshakeWithBody(0, 1, 0, 1, 'x', 0, 2, 0));
    }

    @Test
    void optionValueRunningPastTheBody() {
        var e = assertRejected(FrameException.MalformedOption.class, Errno.EPROTO, new EmbeddedChannel(new HandshakeDecoder()),
                handshakeWithBody(0, 1, 0, 5, 'a', 'b', 'c', 'd'));
        assertTrue(e.getMessage().contains("0x1") && e.getMessage().contains("length 5"), e.getMessage());
    }

    @Test
    void wellFormedHandCraftedBodyDecodes() {
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
        ch.writeInbound(handshakeWithBody(0, 1, 0, 2, 'h', 'i', 0x7f, 0x7f, 0, 0));
        HandshakeFrame f = ch.readInbound();
        assertEquals("hi", f.string(Tlv.EXPORT_NAME).orElseThrow());
        assertEquals(2, f.options().size());
        assertFalse(ch.finish());
    }
}
