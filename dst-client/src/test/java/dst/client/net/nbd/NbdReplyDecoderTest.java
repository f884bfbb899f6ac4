package dst.client.net.nbd;

import dst.client.net.Answer;
import dst.client.net.Op;
import dst.protocol.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dst.client.net.nbd.NbdServerBytes.FLAG_DONE;
import static dst.client.net.nbd.NbdServerBytes.TYPE_NONE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NBD reply decoder against server bytes written from the spec: simple and structured replies (OFFSET_DATA,
 * OFFSET_HOLE, ERROR, NONE), replies split anywhere, chunks in any order, and the frames that end the connection
 * (bad magic, a cookie never sent, a chunk outside its request, a chunk too short for its type) with a message that
 * says which. Each test ends with no buffer left allocated ({@link NbdCodecChannel#close()}).
 */
class NbdReplyDecoderTest {
    private static final int MAX_REQUEST = 1 << 20;
    private final NbdCodecChannel c = new NbdCodecChannel(MAX_REQUEST, 512);
    private final NbdServerBytes s = c.server;

    @AfterEach
    void noLeaks() {
        c.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] bytes(Answer a) {
        return ByteBufUtil.getBytes(a.data());
    }

    @Test
    void simpleReadReplySplitAnywhereIsOneAnswerWithTheRequestsData() {
        byte[] data = random(4096, 1);
        c.send(7, Op.READ, 8192, 4096);
        ByteBuf reply = s.simple(0, 7, data);
        // header split, then data split: nothing is answered before the last byte
        c.receive(reply.readRetainedSlice(10));
        assertTrue(c.quiet());
        c.receive(reply.readRetainedSlice(1000));
        assertTrue(c.quiet());
        c.receive(reply);
        Answer a = c.answer();
        assertEquals(7, a.id());
        assertTrue(a.isOk());
        assertArrayEquals(data, bytes(a));
    }

    @Test
    void simpleErrorReplyCarriesTheServersErrnoAndNoData() {
        c.send(3, Op.READ, 0, 4096);
        c.send(4, Op.WRITE, false, 0, 512, c.alloc.buffer().writeZero(512));
        // A READ that failed has no data after its header: the next reply follows at once.
        c.receive(s.simple(Errno.EIO, 3, new byte[0]), s.simple(0, 4, new byte[0]));
        Answer failed = c.answer();
        assertEquals(3, failed.id());
        assertEquals(Errno.EIO, failed.errno());
        assertTrue(failed.message().contains("EIO"), failed.message());
        Answer written = c.answer();
        assertEquals(4, written.id());
        assertTrue(written.isOk());
        assertEquals(0, written.data().readableBytes());
    }

    @Test
    void structuredReadInOneDataChunkIsPassedOnWhole() {
        byte[] data = random(65536, 2);
        c.send(9, Op.READ, 1 << 20, data.length);
        c.receive(s.offsetData(FLAG_DONE, 9, 1 << 20, data));
        Answer a = c.answer();
        assertTrue(a.isOk());
        assertArrayEquals(data, bytes(a));
    }

    @Test
    void structuredReadAssembledFromDataAndHoleChunksInAnyOrder() {
        int length = 3 * 4096;
        long base = 40960;
        byte[] first = random(4096, 3);
        byte[] last = random(4096, 4);
        c.send(11, Op.READ, base, length);
        // last block's data, then the first, then a hole in the middle, then NONE with DONE
        c.receive(s.offsetData(0, 11, base + 8192, last), s.offsetData(0, 11, base, first));
        assertTrue(c.quiet(), "answered before the DONE chunk");
        c.receive(s.offsetHole(0, 11, base + 4096, 4096), s.chunk(FLAG_DONE, TYPE_NONE, 11, new byte[0]));
        Answer a = c.answer();
        assertTrue(a.isOk());
        byte[] expected = new byte[length];
        System.arraycopy(first, 0, expected, 0, 4096);
        System.arraycopy(last, 0, expected, 8192, 4096);
        assertArrayEquals(expected, bytes(a));
    }

    @Test
    void structuredReadThatIsAllHoleIsZeros() {
        c.send(12, Op.READ, 0, 8192);
        c.receive(s.offsetHole(FLAG_DONE, 12, 0, 8192));
        Answer a = c.answer();
        assertArrayEquals(new byte[8192], bytes(a));
    }

    @Test
    void structuredErrorChunkFailsTheRequestWithTheServersMessageAndDropsItsData() {
        c.send(13, Op.READ, 0, 8192);
        c.receive(s.offsetData(0, 13, 0, random(4096, 5)), s.error(0, 13, Errno.ENOSPC, "disk full at 4096"),
                s.chunk(FLAG_DONE, TYPE_NONE, 13, new byte[0]));
        Answer a = c.answer();
        assertEquals(13, a.id());
        assertEquals(Errno.ENOSPC, a.errno());
        assertEquals("disk full at 4096", a.message());
        assertEquals(0, a.data().readableBytes());
    }

    @Test
    void errorChunkWithoutAMessageIsNamedByItsErrno() {
        c.send(14, Op.WRITE, false, 0, 512, c.alloc.buffer().writeZero(512));
        c.receive(s.error(FLAG_DONE, 14, Errno.EPERM, ""));
        Answer a = c.answer();
        assertEquals(Errno.EPERM, a.errno());
        assertTrue(a.message().contains("EPERM"), a.message());
    }

    @Test
    void noneChunkAnswersAWriteFlushOrTrim() {
        c.send(20, Op.FLUSH, 0, 0);
        c.send(21, Op.TRIM, 0, 4096);
        c.receive(s.chunk(FLAG_DONE, TYPE_NONE, 21, new byte[0]), s.chunk(FLAG_DONE, TYPE_NONE, 20, new byte[0]));
        assertEquals(21, c.answer().id()); // in the server's order, not the client's
        Answer flushed = c.answer();
        assertEquals(20, flushed.id());
        assertTrue(flushed.isOk());
    }

    @Test
    void keepaliveRepliesEndInTheDecoder() {
        c.channel.writeOutbound(NbdKeepalive.INSTANCE);
        byte[] header = c.drainOutbound();
        long cookie = java.nio.ByteBuffer.wrap(header).getLong(8);
        assertTrue(cookie < 0, "keepalive cookie " + cookie + " could meet a transaction id");
        c.receive(s.simple(0, cookie, new byte[512]));
        assertTrue(c.quiet(), "a keepalive reply reached the session");
        c.channel.writeOutbound(NbdKeepalive.INSTANCE);
        long second = java.nio.ByteBuffer.wrap(c.drainOutbound()).getLong(8);
        assertTrue(second < 0 && second != cookie, "keepalive cookies " + cookie + ", " + second);
        c.receive(s.offsetData(FLAG_DONE, second, 0, new byte[512]));
        assertTrue(c.quiet(), "a structured keepalive reply reached the session");
    }

    @Test
    void replyForACookieNeverSentIsAConnectionError() {
        c.send(1, Op.READ, 0, 512);
        String m = connectionError(s.simple(0, 99, new byte[512]));
        assertTrue(m.contains("handle 99") && m.contains("never sent"), m);
    }

    @Test
    void secondReplyForAnAnsweredCookieIsAConnectionError() {
        c.send(1, Op.FLUSH, 0, 0);
        c.receive(s.simple(0, 1, new byte[0]));
        assertTrue(c.answer().isOk());
        String m = connectionError(s.chunk(FLAG_DONE, TYPE_NONE, 1, new byte[0]));
        assertTrue(m.contains("handle 1") && m.contains("answered already"), m);
    }

    @Test
    void badMagicIsAConnectionErrorNamingIt() {
        c.send(1, Op.READ, 0, 512);
        String m = connectionError(c.alloc.buffer().writeInt(0x12345678).writeZero(12));
        assertTrue(m.contains("bad NBD reply magic 0x12345678"), m);
    }

    @Test
    void chunkOutsideItsRequestIsAConnectionError() {
        c.send(2, Op.READ, 4096, 4096);
        String m = connectionError(s.offsetData(FLAG_DONE, 2, 6144, new byte[4096]));
        assertTrue(m.contains("6144+4096 outside its request 4096+4096"), m);
    }

    @Test
    void holeOutsideItsRequestIsAConnectionError() {
        c.send(2, Op.READ, 0, 4096);
        String m = connectionError(s.offsetHole(FLAG_DONE, 2, 0, 8192));
        assertTrue(m.contains("outside its request"), m);
    }

    @Test
    void dataChunkForAWriteIsAConnectionError() {
        c.send(5, Op.WRITE, false, 0, 512, c.alloc.buffer().writeZero(512));
        String m = connectionError(s.offsetData(FLAG_DONE, 5, 0, new byte[512]));
        assertTrue(m.contains("data chunk") && m.contains("WRITE"), m);
    }

    @Test
    void truncatedChunksAreConnectionErrorsSayingWhatIsShort() {
        c.send(6, Op.READ, 0, 4096);
        String data = connectionError(s.chunk(FLAG_DONE, NbdServerBytes.TYPE_OFFSET_DATA, 6, new byte[4]));
        assertTrue(data.contains("short NBD data chunk"), data);
    }

    @Test
    void truncatedErrorChunkIsAConnectionError() {
        c.send(6, Op.READ, 0, 4096);
        String m = connectionError(s.chunk(FLAG_DONE, NbdServerBytes.TYPE_ERROR, 6, new byte[3]));
        assertTrue(m.contains("short NBD error chunk"), m);
    }

    @Test
    void chunkLongerThanAnyRequestIsRefusedBeforeItIsBuffered() {
        c.send(8, Op.READ, 0, 4096);
        // Only the header arrives: the length alone condemns it, the decoder must not wait for 2 GiB.
        ByteBuf header = c.alloc.buffer().writeInt(NbdServerBytes.STRUCTURED_MAGIC).writeShort(FLAG_DONE)
                .writeShort(NbdServerBytes.TYPE_OFFSET_DATA).writeLong(8).writeInt(Integer.MAX_VALUE);
        String m = connectionError(header);
        assertTrue(m.contains("NBD reply chunk") && m.contains(Integer.toString(Integer.MAX_VALUE)), m);
    }

    @Test
    void connectionClosedInTheMiddleOfRepliesReleasesWhatWasAssembled() {
        c.send(30, Op.READ, 0, 8192);
        c.send(31, Op.READ, 0, 4096);
        c.receive(s.offsetData(0, 30, 0, random(4096, 6))); // half of #30: an assembly buffer is held
        ByteBuf partial = s.simple(0, 31, random(4096, 7));
        c.receive(partial.readRetainedSlice(100)); // #31 cut off after 100 bytes
        partial.release();
        assertTrue(c.quiet());
        c.channel.close();
        assertTrue(c.quiet(), "a cut-off reply became an answer");
        // close(): nothing left allocated
    }

    /**
     * The frame ends the connection: the decoder throws a framing error naming why, and nothing is answered; what
     * arrives after it (here more garbage, then the close) is dropped without a second error.
     */
    private String connectionError(ByteBuf frame) {
        CorruptedFrameException e = assertThrows(CorruptedFrameException.class, () -> c.receive(frame));
        assertTrue(c.quiet(), "answers after a bad frame");
        c.receive(c.alloc.buffer().writeInt(0xdeadbeef).writeZero(100));
        assertTrue(c.quiet());
        assertFalse(e.getMessage() == null, e.toString());
        return e.getMessage();
    }

    @Test
    void readOfTheWholeMaximumRequestInOneChunkIsAccepted() {
        byte[] data = random(MAX_REQUEST, 8);
        c.send(40, Op.READ, 0, MAX_REQUEST);
        c.receive(s.offsetData(FLAG_DONE, 40, 0, data));
        assertTrue(Arrays.equals(data, bytes(c.answer())));
    }
}
