package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests and replies survive their encoder and decoder unchanged, with crc32c on and off. */
class DataCodecTest {
    private static final int MAX = 1 << 20;

    private static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Request decodeRequest(ByteBuf wire, boolean crc) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(MAX, crc));
        assertTrue(ch.writeInbound(wire));
        Request r = ch.readInbound();
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
        return r;
    }

    private static Reply decodeReply(ByteBuf wire, boolean crc) {
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(MAX, crc));
        assertTrue(ch.writeInbound(wire));
        Reply r = ch.readInbound();
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
        return r;
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void writeRequestRoundTrips(boolean crc) {
        byte[] data = pattern(65536, 1);
        Request in = new Request(Opcode.WRITE, Opcode.FLAG_FUA, 0x8000_0000_0000_0001L, 1L << 40, data.length,
                Unpooled.wrappedBuffer(data));
        Request out = decodeRequest(Wire.request(in, crc), crc);
        try {
            assertEquals(Opcode.WRITE, out.opcode());
            assertTrue(out.fua());
            assertEquals(0x8000_0000_0000_0001L, out.transactionId());
            assertEquals(1L << 40, out.offset());
            assertEquals(data.length, out.length());
            assertArrayEquals(data, ByteBufUtil.getBytes(out.payload()));
        } finally {
            out.release();
        }
        assertEquals(0, in.refCnt(), "the encoder releases the request it wrote");
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void requestsWithoutPayloadRoundTrip(boolean crc) {
        for (int op : new int[]{Opcode.READ, Opcode.FLUSH, Opcode.TRIM, Opcode.WRITE_ZEROES, Opcode.PING, 0xFF}) {
            Request out = decodeRequest(Wire.request(new Request(op, 0, op * 7L, 4096L * op, -1), crc), crc);
            assertEquals(op, out.opcode());
            assertEquals(0, out.flags());
            assertEquals(op * 7L, out.transactionId());
            assertEquals(4096L * op, out.offset());
            assertEquals(-1, out.length(), "length is a raw u32 on the wire");
            assertEquals(0, out.payload().readableBytes());
            out.release();
        }
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void readReplyRoundTrips(boolean crc) {
        byte[] data = pattern(MAX, 2);
        Reply out = decodeReply(Wire.reply(new Reply(Opcode.READ, 99, Errno.OK, Unpooled.wrappedBuffer(data)), crc), crc);
        try {
            assertEquals(Opcode.READ, out.opcode());
            assertEquals(99, out.transactionId());
            assertTrue(out.isOk());
            assertArrayEquals(data, ByteBufUtil.getBytes(out.payload()));
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void sizeChangedNotificationCarriesTheNewSize(boolean crc) {
        Reply out = decodeReply(Wire.reply(Reply.sizeChanged((1L << 40) + 4096), crc), crc);
        try {
            assertEquals(Opcode.SIZE_CHANGED, out.opcode());
            assertEquals(0, out.transactionId(), "a notification answers no request");
            assertTrue(out.isOk());
            assertEquals((1L << 40) + 4096, out.notifiedSize());
        } finally {
            out.release();
        }
        Reply shortPayload = decodeReply(Wire.reply(new Reply(Opcode.SIZE_CHANGED, 0, Errno.OK, Unpooled.wrappedBuffer(new byte[4])), crc), crc);
        try {
            assertEquals(-1, shortPayload.notifiedSize(), "a size that is not a u64 is no size");
        } finally {
            shortPayload.release();
        }
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void releaseRequestRoundTripsWithoutPayload(boolean crc) {
        Request out = decodeRequest(Wire.request(new Request(Opcode.RELEASE, 0, 42, 0, 0), crc), crc);
        try {
            assertEquals(Opcode.RELEASE, out.opcode());
            assertEquals(42, out.transactionId());
            assertEquals(0, out.length());
            assertEquals(0, out.payload().readableBytes());
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void errorReplyCarriesErrnoAndMessage(boolean crc) {
        Reply out = decodeReply(Wire.reply(Reply.error(Opcode.WRITE, 7, Errno.EPERM, "export 'x' is read-only"), crc), crc);
        try {
            assertEquals(Errno.EPERM, out.status());
            assertEquals("export 'x' is read-only", out.message());
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void longErrorMessageIsCutAtMaxMessageAndStillDecodesWithATinyMaxPayload(boolean crc) {
        String text = "x".repeat(5000);
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(16, crc));
        ch.writeInbound(Wire.reply(Reply.error(Opcode.CONNECTION_ERROR, 0, Errno.EPROTO, text), crc));
        Reply out = ch.readInbound();
        assertEquals(Reply.MAX_MESSAGE, out.payload().readableBytes());
        out.release();
        assertFalse(ch.finish());
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void manyFramesSplitAtEveryPossibleBoundaryDecodeInOrder(boolean crc) {
        CompositeByteBuf stream = Unpooled.compositeBuffer(64);
        for (int i = 0; i < 20; i++) {
            byte[] data = pattern(i * 3, i);
            stream.addComponent(true, Wire.request(new Request(Opcode.WRITE, 0, i, i * 512L, data.length,
                    Unpooled.wrappedBuffer(data)), crc));
        }
        byte[] wire = Wire.drain(stream);
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(MAX, crc));
        Random cuts = new Random(3);
        for (int at = 0; at < wire.length; ) {
            int n = Math.min(wire.length - at, 1 + cuts.nextInt(50));
            ch.writeInbound(Unpooled.wrappedBuffer(wire, at, n));
            at += n;
        }
        for (int i = 0; i < 20; i++) {
            Request r = ch.readInbound();
            assertEquals(i, r.transactionId());
            assertArrayEquals(pattern(i * 3, i), ByteBufUtil.getBytes(r.payload()));
            r.release();
        }
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @ParameterizedTest(name = "crc={0}")
    @ValueSource(booleans = {true, false})
    void compositePayloadIsChecksummedAcrossItsParts(boolean crc) {
        byte[] a = pattern(1000, 4);
        byte[] b = pattern(3000, 5);
        CompositeByteBuf payload = Unpooled.compositeBuffer();
        payload.addComponent(true, Unpooled.wrappedBuffer(a));
        payload.addComponent(true, Unpooled.directBuffer().writeBytes(b));
        Request out = decodeRequest(Wire.request(new Request(Opcode.WRITE, 0, 1, 0, 4000, payload), crc), crc);
        byte[] both = new byte[4000];
        System.arraycopy(a, 0, both, 0, 1000);
        System.arraycopy(b, 0, both, 1000, 3000);
        assertArrayEquals(both, ByteBufUtil.getBytes(out.payload()));
        out.release();
    }
}
