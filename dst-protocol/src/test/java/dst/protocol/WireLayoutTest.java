package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins the v1 wire layout: every offset, size, magic and code has the value PROTOCOL.md documents, and
 * the encoders really put each field at its offset. A failure here means a wire-incompatible change.
 */
class WireLayoutTest {
    private static int crc(byte[] b, int from, int len) {
        CRC32C c = new CRC32C();
        c.update(b, from, len);
        return (int) c.getValue();
    }

    @Test
    void requestHeaderConstants() {
        assertEquals(0x44535251, RequestHeader.MAGIC);
        assertEquals("DSRQ", ascii(RequestHeader.MAGIC));
        assertEquals(4, RequestHeader.OPCODE_OFFSET);
        assertEquals(5, RequestHeader.FLAGS_OFFSET);
        assertEquals(6, RequestHeader.RESERVED_OFFSET);
        assertEquals(8, RequestHeader.TRANSACTION_ID_OFFSET);
        assertEquals(16, RequestHeader.OFFSET_OFFSET);
        assertEquals(24, RequestHeader.LENGTH_OFFSET);
        assertEquals(28, RequestHeader.PAYLOAD_LENGTH_OFFSET);
        assertEquals(32, RequestHeader.PAYLOAD_CRC_OFFSET);
        assertEquals(36, RequestHeader.HEADER_CRC_OFFSET);
        assertEquals(40, RequestHeader.SIZE);
    }

    @Test
    void replyHeaderConstants() {
        assertEquals(0x44535250, ReplyHeader.MAGIC);
        assertEquals("DSRP", ascii(ReplyHeader.MAGIC));
        assertEquals(4, ReplyHeader.OPCODE_OFFSET);
        assertEquals(5, ReplyHeader.FLAGS_OFFSET);
        assertEquals(6, ReplyHeader.RESERVED_OFFSET);
        assertEquals(8, ReplyHeader.TRANSACTION_ID_OFFSET);
        assertEquals(16, ReplyHeader.STATUS_OFFSET);
        assertEquals(20, ReplyHeader.PAYLOAD_LENGTH_OFFSET);
        assertEquals(24, ReplyHeader.PAYLOAD_CRC_OFFSET);
        assertEquals(28, ReplyHeader.HEADER_CRC_OFFSET);
        assertEquals(32, ReplyHeader.SIZE);
    }

    @Test
    void handshakeHeaderConstants() {
        assertEquals(0x44535448, HandshakeDecoder.MAGIC);
        assertEquals("DSTH", ascii(HandshakeDecoder.MAGIC));
        assertEquals(1, HandshakeDecoder.VERSION);
        assertEquals(4, HandshakeDecoder.VERSION_OFFSET);
        assertEquals(6, HandshakeDecoder.TYPE_OFFSET);
        assertEquals(8, HandshakeDecoder.BODY_LENGTH_OFFSET);
        assertEquals(12, HandshakeDecoder.CRC_OFFSET);
        assertEquals(16, HandshakeDecoder.HEADER_SIZE);
        assertEquals(65536, HandshakeDecoder.MAX_BODY);
    }

    @Test
    void codesAndTags() {
        assertEquals(0, Opcode.CONNECTION_ERROR);
        assertEquals(1, Opcode.READ);
        assertEquals(2, Opcode.WRITE);
        assertEquals(3, Opcode.FLUSH);
        assertEquals(4, Opcode.TRIM);
        assertEquals(5, Opcode.WRITE_ZEROES);
        assertEquals(6, Opcode.PING);
        assertEquals(7, Opcode.SIZE_CHANGED);
        assertEquals(8, Opcode.RELEASE);
        assertEquals(0x01, Opcode.FLAG_FUA);

        assertEquals(1, Features.CRC32C);
        assertEquals(2, Features.FLUSH);
        assertEquals(4, Features.FUA);
        assertEquals(8, Features.TRIM);
        assertEquals(16, Features.WRITE_ZEROES);
        assertEquals(32, Features.RESIZE);
        assertEquals(0x3F, Features.KNOWN);

        assertEquals(1, HandshakeFrame.HELLO);
        assertEquals(2, HandshakeFrame.CHALLENGE);
        assertEquals(3, HandshakeFrame.AUTH);
        assertEquals(4, HandshakeFrame.WELCOME);
        assertEquals(5, HandshakeFrame.ERROR);

        assertEquals(0x8000, Tlv.CRITICAL);
        int[] tags = {Tlv.EXPORT_NAME, Tlv.FEATURES, Tlv.REQUIRED_FEATURES, Tlv.MAX_REQUEST, Tlv.PROTOCOL_VERSION,
                Tlv.EXPORT_SIZE, Tlv.BLOCK_SIZE, Tlv.EXPORT_FLAGS, Tlv.SESSION_ID, Tlv.EXPORT_ID, Tlv.ERRNO,
                Tlv.MESSAGE, Tlv.SOFTWARE, Tlv.NONCE, Tlv.IDENTITY, Tlv.PROOF, Tlv.BOOT_ID, Tlv.MAX_IN_FLIGHT,
                Tlv.ATTACH, Tlv.HOLDER};
        for (int i = 0; i < tags.length; i++) assertEquals(i + 1, tags[i], "tag #" + i);
        assertEquals(1, Tlv.ExportFlags.READ_ONLY);
        assertEquals(1, Tlv.AttachFlags.READ_ONLY);
        assertEquals(2, Tlv.AttachFlags.SHARED);

        int[][] errnos = {{Errno.OK, 0}, {Errno.EPERM, 1}, {Errno.ENOENT, 2}, {Errno.EIO, 5}, {Errno.EAGAIN, 11},
                {Errno.ENOMEM, 12}, {Errno.EACCES, 13}, {Errno.EBUSY, 16}, {Errno.EINVAL, 22}, {Errno.EFBIG, 27},
                {Errno.ENOSPC, 28}, {Errno.EROFS, 30}, {Errno.EPROTO, 71}, {Errno.EBADMSG, 74},
                {Errno.EOPNOTSUPP, 95}, {Errno.ECONNRESET, 104}, {Errno.ENOTCONN, 107}, {Errno.ESHUTDOWN, 108},
                {Errno.ETIMEDOUT, 110}, {Errno.ECONNREFUSED, 111}};
        for (int[] e : errnos) assertEquals(e[1], e[0], Errno.name(e[0]));

        assertEquals(1 << 20, ExportInfo.DEFAULT_MAX_REQUEST);
        assertEquals(32 << 20, ExportInfo.MAX_MAX_REQUEST);
        assertEquals(1024, Reply.MAX_MESSAGE);
    }

    @Test
    void requestEncoderPutsEachFieldAtItsOffset() {
        byte[] payload = "0123456".getBytes(StandardCharsets.US_ASCII);
        byte[] w = Wire.drain(Wire.request(new Request(0xA5, 0x5A, 0x0102030405060708L, 0x1112131415161718L,
                0x21222324, Unpooled.wrappedBuffer(payload)), true));
        ByteBuf h = Unpooled.wrappedBuffer(w);
        assertEquals(RequestHeader.SIZE + payload.length, w.length);
        assertEquals(RequestHeader.MAGIC, h.getInt(0));
        assertEquals(0xA5, h.getUnsignedByte(RequestHeader.OPCODE_OFFSET));
        assertEquals(0x5A, h.getUnsignedByte(RequestHeader.FLAGS_OFFSET));
        assertEquals(0, h.getUnsignedShort(RequestHeader.RESERVED_OFFSET));
        assertEquals(0x0102030405060708L, h.getLong(RequestHeader.TRANSACTION_ID_OFFSET));
        assertEquals(0x1112131415161718L, h.getLong(RequestHeader.OFFSET_OFFSET));
        assertEquals(0x21222324, h.getInt(RequestHeader.LENGTH_OFFSET));
        assertEquals(payload.length, h.getInt(RequestHeader.PAYLOAD_LENGTH_OFFSET));
        assertEquals(crc(payload, 0, payload.length), h.getInt(RequestHeader.PAYLOAD_CRC_OFFSET));
        assertEquals(crc(w, 0, RequestHeader.HEADER_CRC_OFFSET), h.getInt(RequestHeader.HEADER_CRC_OFFSET));
        assertEquals("0123456", new String(w, RequestHeader.SIZE, payload.length, StandardCharsets.US_ASCII));
    }

    @Test
    void requestEncoderWritesZeroCrcsWithoutCrc32c() {
        byte[] w = Wire.drain(Wire.request(new Request(Opcode.WRITE, 0, 1, 0, 3, Wire.bytes(1, 2, 3)), false));
        ByteBuf h = Unpooled.wrappedBuffer(w);
        assertEquals(0, h.getInt(RequestHeader.PAYLOAD_CRC_OFFSET));
        assertEquals(0, h.getInt(RequestHeader.HEADER_CRC_OFFSET));
    }

    @Test
    void payloadCrcIsZeroForAnEmptyPayloadEvenWithCrc32c() {
        byte[] w = Wire.drain(Wire.request(new Request(Opcode.FLUSH, 0, 1, 0, 0), true));
        assertEquals(RequestHeader.SIZE, w.length);
        assertEquals(0, Unpooled.wrappedBuffer(w).getInt(RequestHeader.PAYLOAD_CRC_OFFSET));
    }

    @Test
    void replyEncoderPutsEachFieldAtItsOffset() {
        byte[] payload = {9, 8, 7, 6, 5};
        byte[] w = Wire.drain(Wire.reply(new Reply(0xC3, 0x0102030405060708L, 0x7EADBEEF, Unpooled.wrappedBuffer(payload)), true));
        ByteBuf h = Unpooled.wrappedBuffer(w);
        assertEquals(ReplyHeader.SIZE + payload.length, w.length);
        assertEquals(ReplyHeader.MAGIC, h.getInt(0));
        assertEquals(0xC3, h.getUnsignedByte(ReplyHeader.OPCODE_OFFSET));
        assertEquals(0, h.getUnsignedByte(ReplyHeader.FLAGS_OFFSET));
        assertEquals(0, h.getUnsignedShort(ReplyHeader.RESERVED_OFFSET));
        assertEquals(0x0102030405060708L, h.getLong(ReplyHeader.TRANSACTION_ID_OFFSET));
        assertEquals(0x7EADBEEF, h.getInt(ReplyHeader.STATUS_OFFSET));
        assertEquals(payload.length, h.getInt(ReplyHeader.PAYLOAD_LENGTH_OFFSET));
        assertEquals(crc(payload, 0, payload.length), h.getInt(ReplyHeader.PAYLOAD_CRC_OFFSET));
        assertEquals(crc(w, 0, ReplyHeader.HEADER_CRC_OFFSET), h.getInt(ReplyHeader.HEADER_CRC_OFFSET));
    }

    @Test
    void handshakeEncoderPutsEachFieldAtItsOffset() {
        HandshakeFrame f = HandshakeFrame.builder(HandshakeFrame.WELCOME)
                .u32(Tlv.BLOCK_SIZE, 4096)
                .string(Tlv.EXPORT_NAME | Tlv.CRITICAL, "ab")
                .build();
        byte[] w = Wire.drain(Wire.handshake(f));
        ByteBuf h = Unpooled.wrappedBuffer(w);
        int body = (4 + 4) + (4 + 2);
        assertEquals(HandshakeDecoder.HEADER_SIZE + body, w.length);
        assertEquals(HandshakeDecoder.MAGIC, h.getInt(0));
        assertEquals(HandshakeDecoder.VERSION, h.getUnsignedShort(HandshakeDecoder.VERSION_OFFSET));
        assertEquals(HandshakeFrame.WELCOME, h.getUnsignedShort(HandshakeDecoder.TYPE_OFFSET));
        assertEquals(body, h.getInt(HandshakeDecoder.BODY_LENGTH_OFFSET));
        CRC32C c = new CRC32C();
        c.update(w, 0, HandshakeDecoder.CRC_OFFSET);
        c.update(w, HandshakeDecoder.HEADER_SIZE, body);
        assertEquals((int) c.getValue(), h.getInt(HandshakeDecoder.CRC_OFFSET));
        int o = HandshakeDecoder.HEADER_SIZE;
        assertEquals(Tlv.BLOCK_SIZE, h.getUnsignedShort(o));
        assertEquals(4, h.getUnsignedShort(o + 2));
        assertEquals(4096, h.getInt(o + 4));
        assertEquals(0x8001, h.getUnsignedShort(o + 8));
        assertEquals(2, h.getUnsignedShort(o + 10));
        assertEquals("ab", new String(w, o + 12, 2, StandardCharsets.UTF_8));
    }

    @Test
    void helloCarriesVersionRangeMinInTheHighHalf() {
        HandshakeFrame f = new Hello("d", 0, 0, 4096, 0, "t").toFrame();
        assertEquals((Hello.MIN_VERSION << 16) | Hello.MAX_VERSION, f.u32(Tlv.PROTOCOL_VERSION).orElseThrow());
        assertEquals(0x00010001, f.u32(Tlv.PROTOCOL_VERSION).orElseThrow());
    }

    private static String ascii(int magic) {
        return new String(new byte[]{(byte) (magic >>> 24), (byte) (magic >>> 16), (byte) (magic >>> 8), (byte) magic},
                StandardCharsets.US_ASCII);
    }
}
