package dst.client.net.nbd;

import dst.protocol.DstException;
import dst.protocol.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's fixed newstyle handshake against server bytes written from the spec: what the client sends at each
 * step (client flags, EXTENDED_HEADERS, STRUCTURED_REPLY, OPT_GO with the export name and an INFO_BLOCK_SIZE request;
 * extended headers and meta contexts themselves are the nbd-features tests' subject, here they are refused), what it takes
 * from the INFO replies, the NBD_OPT_EXPORT_NAME fallback of a server that answers OPT_GO with ERR_UNSUP (with and
 * without the 124 zero bytes), STARTTLS, and the refusals and garbage that end it with a message saying why.
 */
class NbdHandshakeHandlerTest {
    private static final int FIXED_NEWSTYLE = 1;
    private static final int NO_ZEROES = 2;
    private static final int REP_ACK = 1;
    private static final int REP_ERR_UNSUP = 0x80000001;
    private static final int OPT_EXPORT_NAME = 1;
    private static final int OPT_STARTTLS = 5;
    private static final int OPT_GO = 7;
    private static final int OPT_STRUCTURED_REPLY = 8;
    private static final int OPT_SET_META_CONTEXT = 10;
    private static final int OPT_EXTENDED_HEADERS = 11;

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final NbdServerBytes server = new NbdServerBytes(alloc);
    private final CompletableFuture<NbdExport> result = new CompletableFuture<>();
    private EmbeddedChannel channel;

    private void client(String export, SslContext tls) {
        channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast("nbdHandshake", new NbdHandshakeHandler(export, tls, "127.0.0.1", 10809, result));
    }

    @AfterEach
    void noLeaks() {
        channel.finishAndReleaseAll();
        assertEquals(0, alloc.metric().usedHeapMemory(), "buffers left unreleased by the handshake");
    }

    private void receive(ByteBuf... frames) {
        channel.writeInbound((Object[]) frames);
    }

    private byte[] sent() {
        return NbdCodecChannel.drain(channel);
    }

    /** IHAVEOPT, u32 option, u32 length, data: one option as the client must send it. */
    private static byte[] option(int option, byte[] data) {
        return ByteBuffer.allocate(16 + data.length).putLong(NbdServerBytes.IHAVEOPT).putInt(option).putInt(data.length).put(data).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf b = Unpooled.buffer();
        for (byte[] p : parts) b.writeBytes(p);
        return ByteBufUtil.getBytes(b);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    /** OPT_GO's data: u32 name length, name, u16 number of info requests, u16 NBD_INFO_BLOCK_SIZE. */
    private static byte[] goData(String export) {
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + name.length).putInt(name.length).put(name).putShort((short) 1).putShort((short) 3).array();
    }

    private DstException failure() {
        assertTrue(result.isDone(), "the handshake neither finished nor failed");
        ExecutionException e = assertThrows(ExecutionException.class, result::get);
        return assertInstanceOf(DstException.class, e.getCause());
    }

    @Test
    void optGoTakesSizeFlagsAndBlockSizesFromTheInfoReplies() throws Exception {
        client("disk/0", null);
        receive(server.greeting(FIXED_NEWSTYLE | NO_ZEROES));
        assertArrayEquals(concat(u32(FIXED_NEWSTYLE | NO_ZEROES), option(OPT_EXTENDED_HEADERS, new byte[0])), sent(),
                "client flags, then NBD_OPT_EXTENDED_HEADERS");
        receive(server.optionReply(OPT_EXTENDED_HEADERS, REP_ERR_UNSUP, new byte[0]));
        assertArrayEquals(option(OPT_STRUCTURED_REPLY, new byte[0]), sent(), "no extended headers: NBD_OPT_STRUCTURED_REPLY");
        receive(server.optionReply(OPT_STRUCTURED_REPLY, REP_ACK, new byte[0]));
        sent(); // NBD_OPT_SET_META_CONTEXT base:allocation
        receive(server.optionReply(OPT_SET_META_CONTEXT, REP_ERR_UNSUP, new byte[0]));
        assertArrayEquals(option(OPT_GO, goData("disk/0")), sent(), "NBD_OPT_GO for the export, asking for its block sizes");
        int flags = 1 | 4 | 8 | 256; // HAS_FLAGS, SEND_FLUSH, SEND_FUA, CAN_MULTI_CONN
        // An info type the client did not ask for (NBD_INFO_NAME) is skipped.
        receive(server.optionReply(OPT_GO, 3, concat(new byte[]{0, 1}, "disk/0".getBytes(StandardCharsets.UTF_8))),
                server.infoExport(5L << 30, flags), server.infoBlockSize(512, 4096, 1 << 22));
        assertFalse(result.isDone(), "finished before NBD_REP_ACK");
        receive(server.optionReply(OPT_GO, REP_ACK, new byte[0]));
        assertEquals(new NbdExport("disk/0", 5L << 30, flags, true, false, 512, 4096, 1 << 22, -1), result.getNow(null));
        assertEquals(0, sent().length, "nothing sent after the handshake");
    }

    @Test
    void serverWithoutOptGoGetsExportNameAndItsAnswerWithZeroes() throws Exception {
        client("old", null);
        receive(server.greeting(FIXED_NEWSTYLE)); // no NO_ZEROES: the export's answer ends in 124 zero bytes
        assertArrayEquals(u32(FIXED_NEWSTYLE), java.util.Arrays.copyOf(sent(), 4), "client flags without NO_ZEROES");
        receive(server.optionReply(OPT_EXTENDED_HEADERS, REP_ERR_UNSUP, new byte[0]));
        receive(server.optionReply(OPT_STRUCTURED_REPLY, REP_ERR_UNSUP, new byte[0]));
        sent();
        receive(server.optionReply(OPT_GO, REP_ERR_UNSUP, new byte[0]));
        assertArrayEquals(option(OPT_EXPORT_NAME, "old".getBytes(StandardCharsets.UTF_8)), sent(), "NBD_OPT_EXPORT_NAME fallback");
        ByteBuf answer = server.exportNameReply(1L << 30, 1 | 4, true);
        receive(answer.readRetainedSlice(130)); // all but the last 4 zero bytes
        assertFalse(result.isDone(), "finished before the 124 zero bytes");
        receive(answer);
        assertEquals(new NbdExport("old", 1L << 30, 1 | 4, false, false, 0, 0, 0, -1), result.getNow(null));
    }

    @Test
    void exportNameAnswerWithoutZeroesWhenBothAgreedNoZeroes() {
        client("", null);
        toGo();
        receive(server.optionReply(OPT_GO, REP_ERR_UNSUP, new byte[0]));
        receive(server.exportNameReply(4096, 1, false));
        assertEquals(new NbdExport("", 4096, 1, true, false, 0, 0, 0, -1), result.getNow(null));
    }

    @Test
    void exportNameRefusedByClosingSaysNoSuchExport() {
        client("nope", null);
        toGo();
        receive(server.optionReply(OPT_GO, REP_ERR_UNSUP, new byte[0]));
        channel.close(); // how a server refuses NBD_OPT_EXPORT_NAME: it hangs up
        DstException e = failure();
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("no export 'nope'"), e.getMessage());
    }

    @Test
    void unknownExportIsENOENTWithTheServersMessage() {
        goRefused("nope", 0x80000006, "export 'nope' is not here");
        DstException e = failure();
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("export 'nope'") && e.getMessage().contains("no such export")
                && e.getMessage().contains(": export 'nope' is not here"), e.getMessage());
    }

    @Test
    void tlsRequiredSaysUseNbdsAndIsEACCES() {
        goRefused("", 0x80000005, "");
        DstException e = failure();
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().contains("the default export") && e.getMessage().contains("requires TLS")
                && e.getMessage().contains("nbds://"), e.getMessage());
    }

    /** Greeting, no extended headers, structured replies, no meta context: the client sends OPT_GO next. */
    private void toGo() {
        receive(server.greeting(FIXED_NEWSTYLE | NO_ZEROES), server.optionReply(OPT_EXTENDED_HEADERS, REP_ERR_UNSUP, new byte[0]),
                server.optionReply(OPT_STRUCTURED_REPLY, REP_ACK, new byte[0]),
                server.optionReply(OPT_SET_META_CONTEXT, REP_ERR_UNSUP, new byte[0]));
    }

    private void goRefused(String export, int error, String message) {
        client(export, null);
        toGo();
        receive(server.optionReply(OPT_GO, error, message.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void ackWithoutExportInfoIsAProtocolError() {
        client("x", null);
        toGo();
        receive(server.optionReply(OPT_GO, REP_ACK, new byte[0]));
        DstException e = failure();
        assertEquals(Errno.EPROTO, e.errno());
        assertTrue(e.getMessage().contains("without telling the export size"), e.getMessage());
    }

    @Test
    void notAnNbdServerIsSaidSo() {
        client("x", null);
        receive(alloc.buffer().writeBytes("SSH-2.0-OpenSSH_9.2p1 Debian\r\n".getBytes(StandardCharsets.US_ASCII)));
        DstException e = failure();
        assertEquals(Errno.EPROTO, e.errno());
        assertTrue(e.getMessage().contains("not an NBD server"), e.getMessage());
    }

    @Test
    void oldstyleServerIsSaidSo() {
        client("x", null);
        receive(alloc.buffer().writeLong(NbdServerBytes.NBDMAGIC).writeLong(0x00420281861253L).writeShort(0));
        assertTrue(failure().getMessage().contains("old-style"), failure().getMessage());
    }

    @Test
    void optionReplyWithBadMagicIsAProtocolError() {
        client("x", null);
        receive(server.greeting(FIXED_NEWSTYLE | NO_ZEROES));
        receive(alloc.buffer().writeLong(0x1122334455667788L).writeInt(OPT_STRUCTURED_REPLY).writeInt(REP_ACK).writeInt(0));
        DstException e = failure();
        assertEquals(Errno.EPROTO, e.errno());
        assertTrue(e.getMessage().contains("bad NBD option reply magic 1122334455667788"), e.getMessage());
    }

    @Test
    void startTlsComesFirstAndTlsStartsRightAfterItsAck() throws Exception {
        client("x", tls());
        receive(server.greeting(FIXED_NEWSTYLE | NO_ZEROES));
        assertArrayEquals(concat(u32(FIXED_NEWSTYLE | NO_ZEROES), option(OPT_STARTTLS, new byte[0])), sent(),
                "NBD_OPT_STARTTLS before any other option");
        receive(server.optionReply(OPT_STARTTLS, REP_ACK, new byte[0]));
        assertInstanceOf(SslHandler.class, channel.pipeline().first(), "TLS is not the first handler after STARTTLS");
        byte[] next = sent();
        assertTrue(next.length > 5 && next[0] == 0x16 && next[1] == 0x03, "the next bytes are not a TLS ClientHello record");
        assertFalse(result.isDone());
    }

    @Test
    void serverRefusingStartTlsIsEACCESNotAPlaintextFallback() throws Exception {
        client("x", tls());
        receive(server.greeting(FIXED_NEWSTYLE | NO_ZEROES));
        sent();
        receive(server.optionReply(OPT_STARTTLS, REP_ERR_UNSUP, new byte[0]));
        DstException e = failure();
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().contains("does not offer TLS"), e.getMessage());
        assertEquals(0, sent().length, "options went out in plaintext after TLS was refused");
    }

    /** A client context that would trust anything: these tests never get as far as a certificate. */
    private static SslContext tls() throws Exception {
        return SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
    }
}
