package dst.client.net.nbd;

import dst.client.net.Op;
import dst.client.net.WireRequest;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The NBD request encoder: the 28-byte request header field by field as the spec lays it out (u32 0x25609513,
 * u16 command flags, u16 type, u64 cookie, u64 offset, u32 length), the command numbers, FUA, and a WRITE's
 * payload sent as the caller's own buffer (no copy) and released once written.
 */
class NbdRequestEncoderTest {
    private final NbdCodecChannel c = new NbdCodecChannel(1 << 20, 4096);

    @AfterEach
    void noLeaks() {
        c.close();
    }

    private record Header(int magic, int flags, int type, long cookie, long offset, int length) {
        static Header of(byte[] wire) {
            ByteBuffer b = ByteBuffer.wrap(wire);
            return new Header(b.getInt(), b.getShort() & 0xffff, b.getShort() & 0xffff, b.getLong(), b.getLong(), b.getInt());
        }
    }

    @Test
    void eachOperationIsItsSpecCommandWithCookieOffsetAndLength() {
        int[] expected = {0, 1, 3, 4, 6}; // READ, WRITE, FLUSH, TRIM, WRITE_ZEROES in doc/proto.md
        Op[] ops = {Op.READ, Op.WRITE, Op.FLUSH, Op.TRIM, Op.WRITE_ZEROES};
        for (int i = 0; i < ops.length; i++) {
            int length = ops[i] == Op.FLUSH ? 0 : 8192;
            ByteBuf payload = ops[i] == Op.WRITE ? c.alloc.buffer().writeZero(length) : io.netty.buffer.Unpooled.EMPTY_BUFFER;
            byte[] wire = c.send(0x0102030405060708L + i, ops[i], false, (long) i << 33, length, payload);
            Header h = Header.of(wire);
            assertEquals(new Header(0x25609513, 0, expected[i], 0x0102030405060708L + i, (long) i << 33, length), h, ops[i].toString());
            assertEquals(28 + (ops[i] == Op.WRITE ? length : 0), wire.length, ops[i] + ": header plus payload only");
            // answer it, so the connection holds nothing at close
            c.receive(c.server.simple(0, h.cookie(), ops[i] == Op.READ ? new byte[length] : new byte[0]));
            c.answer();
        }
    }

    @Test
    void fuaIsCommandFlagOneOnAWrite() {
        byte[] wire = c.send(5, Op.WRITE, true, 4096, 512, c.alloc.buffer().writeZero(512));
        assertEquals(1, Header.of(wire).flags(), "NBD_CMD_FLAG_FUA");
        assertEquals(0, Header.of(c.send(6, Op.WRITE, false, 4096, 512, c.alloc.buffer().writeZero(512))).flags());
    }

    @Test
    void writePayloadFollowsTheHeaderAsTheCallersBufferAndIsReleasedAfter() {
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x5a);
        ByteBuf payload = c.alloc.buffer(4096).writeBytes(data);
        c.channel.writeOutbound(new WireRequest(9, Op.WRITE, false, 0, 4096, payload));
        ByteBuf header = c.channel.readOutbound();
        ByteBuf body = c.channel.readOutbound();
        assertEquals(28, header.readableBytes());
        assertSame(payload, body, "the payload was copied");
        assertEquals(1, payload.refCnt(), "the encoder holds exactly the reference it sends");
        byte[] sent = new byte[4096];
        body.getBytes(body.readerIndex(), sent);
        assertArrayEquals(data, sent);
        header.release();
        body.release(); // what the socket does after writing
        assertEquals(0, payload.refCnt());
    }

    @Test
    void keepaliveIsAReadOfOneBlockAtOffsetZero() {
        c.channel.writeOutbound(NbdKeepalive.INSTANCE);
        Header h = Header.of(c.drainOutbound());
        assertEquals(0, h.type());
        assertEquals(0, h.offset());
        assertEquals(4096, h.length());
        c.receive(c.server.simple(0, h.cookie(), new byte[4096]));
    }
}
