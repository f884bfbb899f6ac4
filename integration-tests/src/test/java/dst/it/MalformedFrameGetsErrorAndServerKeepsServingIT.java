package dst.it;

import dst.it.harness.RawConnection;
import dst.it.harness.ServerProcess;
import dst.protocol.Crc32c;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeFrame;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import dst.protocol.RequestHeader;
import dst.protocol.Tlv;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each class of malformed frame, in the handshake and in the data phase, is answered with an error
 * frame carrying its errno (an ERROR handshake frame, or a reply with opcode CONNECTION_ERROR) and
 * the connection is closed; meanwhile a second, well-behaved client on the same server keeps being
 * served correctly.
 */
class MalformedFrameGetsErrorAndServerKeepsServingIT {
    private static final String EXPORT = "disk";
    private static ServerProcess server;
    private static RawConnection good;
    private static final Random random = new Random(1);

    @BeforeAll
    static void start() throws IOException {
        server = ServerProcess.builder("malformed").export(EXPORT + "=mem:16M").arg("--idle-timeout", "120").start();
        good = RawConnection.open(server.port(), EXPORT);
    }

    @AfterAll
    static void stop() throws IOException {
        if (good != null) good.close();
        if (server != null) server.close();
    }

    /** The well-behaved client writes a fresh random block and reads it back exactly. */
    private static void goodClientIsStillServed() throws IOException {
        byte[] data = new byte[4096];
        random.nextBytes(data);
        long offset = 4096L * random.nextInt(4096);
        good.write(offset, data);
        assertArrayEquals(data, good.read(offset, data.length));
    }

    // ---- handshake phase ----

    private static void assertHandshakeError(byte[] bytes, int errno, String messagePart) throws IOException {
        try (RawConnection bad = RawConnection.connect(server.port())) {
            bad.sendRaw(bytes);
            HandshakeFrame f = bad.readHandshake();
            assertEquals(HandshakeFrame.ERROR, f.type(), "expected an ERROR frame, got " + f);
            int got = f.u32(Tlv.ERRNO).orElseThrow();
            String message = f.string(Tlv.MESSAGE).orElse("");
            assertEquals(errno, got, "errno " + RawConnection.errno(got) + ": " + message);
            assertTrue(message.contains(messagePart), "message '" + message + "' does not mention '" + messagePart + "'");
            assertTrue(bad.awaitClosedByServer(Duration.ofSeconds(5)), "server kept the connection open after its ERROR");
        }
        goodClientIsStillServed();
    }

    private static byte[] hello() {
        ByteBuf b = Unpooled.buffer();
        dst.protocol.HandshakeEncoder.encodeTo(RawConnection.hello(EXPORT).toFrame(), b);
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        return bytes;
    }

    /** Re-seals a modified handshake frame with a correct crc, so only the intended defect remains. */
    private static byte[] resealed(byte[] frame) {
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        Crc32c.update(c, b, 0, 12);
        Crc32c.update(c, b, HandshakeDecoder.HEADER_SIZE, frame.length - HandshakeDecoder.HEADER_SIZE);
        ByteBuffer.wrap(frame).putInt(12, (int) c.getValue());
        return frame;
    }

    @Test
    void garbageInsteadOfHelloGetsEproto() throws IOException {
        assertHandshakeError("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                Errno.EPROTO, "bad magic");
    }

    @Test
    void helloWithBadCrcGetsEbadmsg() throws IOException {
        byte[] h = hello();
        h[h.length - 1] ^= 0x01;
        assertHandshakeError(h, Errno.EBADMSG, "crc32c");
    }

    @Test
    void helloWithBodyOverTheMaximumGetsEfbig() throws IOException {
        byte[] h = hello();
        ByteBuffer.wrap(h).putInt(8, HandshakeDecoder.MAX_BODY + 1);
        assertHandshakeError(resealed(h), Errno.EFBIG, "exceeds");
    }

    @Test
    void helloInAnUnknownFrameFormatGetsEproto() throws IOException {
        byte[] h = hello();
        ByteBuffer.wrap(h).putShort(4, (short) 9);
        assertHandshakeError(resealed(h), Errno.EPROTO, "version 9");
    }

    @Test
    void helloWithAnOptionRunningPastTheBodyGetsEproto() throws IOException {
        byte[] h = hello();
        ByteBuffer.wrap(h).putShort(HandshakeDecoder.HEADER_SIZE + 2, (short) 0x7FFF); // first option's length
        assertHandshakeError(resealed(h), Errno.EPROTO, "runs past");
    }

    @Test
    void dataFrameBeforeTheHandshakeGetsEproto() throws IOException {
        assertHandshakeError(RawConnection.encode(new Request(Opcode.READ, 0, 1, 0, 512), true), Errno.EPROTO, "bad magic");
    }

    // ---- data phase ----

    private static void assertConnectionError(UnaryOperator<byte[]> spoil, int errno, String messagePart) throws IOException {
        try (RawConnection bad = RawConnection.open(server.port(), EXPORT)) {
            byte[] data = new byte[8192];
            random.nextBytes(data);
            byte[] frame = bad.encode(new Request(Opcode.WRITE, 0, 5, 0, data.length, Unpooled.wrappedBuffer(data)));
            bad.sendRaw(spoil.apply(frame));
            Reply r = bad.readReply();
            try {
                assertEquals(Opcode.CONNECTION_ERROR, r.opcode(), "expected the error frame, got " + r);
                assertEquals(0, r.transactionId());
                assertEquals(errno, r.status(), "errno " + RawConnection.errno(r.status()) + ": " + r.message());
                assertTrue(r.message().contains(messagePart), "message '" + r.message() + "' does not mention '" + messagePart + "'");
            } finally {
                r.release();
            }
            assertTrue(bad.awaitClosedByServer(Duration.ofSeconds(5)), "server kept the connection open after the error frame");
        }
        goodClientIsStillServed();
    }

    /** Rewrites the header crc so that a deliberately changed header field is the only defect. */
    private static byte[] resealedHeader(byte[] frame) {
        ByteBuffer.wrap(frame).putInt(RequestHeader.HEADER_CRC_OFFSET,
                Crc32c.of(Unpooled.wrappedBuffer(frame), 0, RequestHeader.HEADER_CRC_OFFSET));
        return frame;
    }

    @Test
    void requestWithBadMagicGetsEproto() throws IOException {
        assertConnectionError(f -> {
            ByteBuffer.wrap(f).putInt(0, 0x0BADF00D);
            return f;
        }, Errno.EPROTO, "bad magic");
    }

    @Test
    void requestWithHeaderCrcMismatchGetsEbadmsg() throws IOException {
        assertConnectionError(f -> {
            f[RequestHeader.OFFSET_OFFSET + 6] ^= 0x02;
            return f;
        }, Errno.EBADMSG, "header crc32c");
    }

    @Test
    void requestWithPayloadCrcMismatchGetsEbadmsg() throws IOException {
        assertConnectionError(f -> {
            f[RequestHeader.SIZE + 1000] ^= 0x80;
            return f;
        }, Errno.EBADMSG, "payload crc32c");
    }

    @Test
    void requestLongerThanTheNegotiatedMaximumGetsEfbig() throws IOException {
        ExportInfo info = good.info();
        assertConnectionError(f -> {
            byte[] header = java.util.Arrays.copyOf(f, RequestHeader.SIZE);
            ByteBuffer.wrap(header).putInt(RequestHeader.LENGTH_OFFSET, info.maxRequest() + 1)
                    .putInt(RequestHeader.PAYLOAD_LENGTH_OFFSET, info.maxRequest() + 1);
            return resealedHeader(header); // the payload is never sent: the header alone must be refused
        }, Errno.EFBIG, "exceeds the negotiated maximum");
    }

    @Test
    void garbageAfterTheHandshakeGetsEproto() throws IOException {
        assertConnectionError(f -> {
            byte[] junk = new byte[RequestHeader.SIZE * 3];
            new Random(9).nextBytes(junk);
            return junk;
        }, Errno.EPROTO, "bad magic");
    }

    @Test
    void badFrameRightAfterAGoodOneStillGetsItsErrorFrame() throws IOException {
        try (RawConnection c = RawConnection.open(server.port(), EXPORT)) {
            byte[] write = c.encode(new Request(Opcode.WRITE, 0, 1, 0, 3, Unpooled.wrappedBuffer(new byte[]{1, 2, 3})));
            byte[] both = new byte[write.length + RequestHeader.SIZE]; // a valid WRITE, then zeros: bad magic
            System.arraycopy(write, 0, both, 0, write.length);
            c.sendRaw(both);
            // The error frame must come. The WRITE was in flight when the connection failed: like any
            // request of a lost connection it may or may not be answered (the client resends it), but
            // an answer, if one comes, must be a success.
            boolean sawError = false;
            try {
                while (true) {
                    Reply r = c.readReply();
                    try {
                        if (r.opcode() == Opcode.CONNECTION_ERROR) {
                            assertEquals(Errno.EPROTO, r.status(), r.message());
                            sawError = true;
                        } else {
                            assertEquals(Opcode.WRITE, r.opcode());
                            assertTrue(r.isOk(), r.toString());
                        }
                    } finally {
                        r.release();
                    }
                }
            } catch (java.io.EOFException | java.net.SocketException closed) {
                // the server closed the connection: expected
            }
            assertTrue(sawError, "no CONNECTION_ERROR frame before the close");
        }
        goodClientIsStillServed();
    }
}
