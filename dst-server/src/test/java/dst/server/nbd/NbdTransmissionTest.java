package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import dst.runtime.transport.Transport;
import dst.server.backend.FileBackend;
import dst.server.backend.MemoryBackend;
import dst.server.export.Export;
import dst.server.export.ExportAccess;
import dst.server.export.ExportSpec;
import dst.server.net.DstServer;
import dst.server.net.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transmission phase against a running server's NBD port: requests and replies as raw NBD bytes. */
class NbdTransmissionTest {
    private static final int MIB = 1 << 20;
    private DstServer server;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
    }

    private int start(ServerConfig config, Export... exports) throws Exception {
        server = DstServer.start(List.of(exports), config, Transport.tcp(new InetSocketAddress("127.0.0.1", 0)),
                Transport.tcp(new InetSocketAddress("127.0.0.1", 0)));
        return server.nbdAddress().getPort();
    }

    private int start(Export... exports) throws Exception {
        return start(ServerConfig.defaults(), exports);
    }

    private static Export mem(String name, long size) {
        return NbdHandshakeTest.mem(name, size, false, ExportAccess.EVERYONE);
    }

    private Export file(String name, long size) throws Exception {
        Path p = tmp.resolve(name + ".img");
        return new Export(new ExportSpec(name, p.toString(), false, size, 512), FileBackend.openFile(p, size, false), 9);
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Connected and in transmission: optionally with structured replies, base:allocation, extended headers. */
    private static RawNbdClient open(int port, String export, boolean structured, boolean meta, boolean extended) throws Exception {
        RawNbdClient c = new RawNbdClient(port).greet();
        if (extended) {
            c.option(Nbd.OPT_EXTENDED_HEADERS, new byte[0]);
            assertEquals(Nbd.REP_ACK, c.reply().type());
        } else if (structured) {
            c.option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
            assertEquals(Nbd.REP_ACK, c.reply().type());
        }
        if (meta) {
            c.option(Nbd.OPT_SET_META_CONTEXT, RawNbdClient.metaRequest(export, Nbd.BASE_ALLOCATION));
            assertEquals(2, c.replies().size());
        }
        c.go(export);
        c.extended = extended;
        return c;
    }

    @Test
    void simpleRepliesEchoCookiesForWriteReadFlushTrimAndZeroes() throws Exception {
        int port = start(mem("m", 4 * MIB));
        try (RawNbdClient c = open(port, "m", false, false, false)) {
            byte[] data = pattern(8192, 1);
            c.write(0xAAAA_0001L, 4096, data);
            assertEquals(0xAAAA_0001L, c.simple(0).cookie());
            c.request(0, Nbd.CMD_READ, 0xBBBB_0002L, 4096, 8192, null);
            RawNbdClient.Chunk read = c.simple(8192);
            assertEquals(0xBBBB_0002L, read.cookie());
            assertEquals(0, read.error());
            assertArrayEquals(data, read.payload());
            c.request(Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE_ZEROES, 3, 4096, 4096, null);
            assertEquals(0, c.simple(0).error());
            c.request(0, Nbd.CMD_TRIM, 4, 8192, 4096, null);
            assertEquals(0, c.simple(0).error());
            c.request(0, Nbd.CMD_FLUSH, 5, 0, 0, null);
            assertEquals(5, c.simple(0).cookie());
            c.request(0, Nbd.CMD_READ, 6, 4096, 8192, null);
            assertArrayEquals(new byte[8192], c.simple(8192).payload(), "zeroed and trimmed ranges read as zeros");
        }
    }

    @Test
    void requestErrorsAreRepliesWithNbdErrnosAndTheConnectionStays() throws Exception {
        int port = start(mem("m", MIB));
        try (RawNbdClient c = open(port, "m", false, false, false)) {
            c.request(0, Nbd.CMD_READ, 1, MIB - 512, 1024, null);
            assertEquals(Nbd.EINVAL, c.simple(0).error(), "read past the end");
            c.write(2, MIB - 512, new byte[1024]);
            assertEquals(Nbd.ENOSPC, c.simple(0).error(), "write past the end");
            c.request(0, Nbd.CMD_WRITE_ZEROES, 3, MIB, 512, null);
            assertEquals(Nbd.ENOSPC, c.simple(0).error(), "zeroes past the end");
            c.request(0, Nbd.CMD_TRIM, 4, -512, 512, null);
            assertEquals(Nbd.EINVAL, c.simple(0).error(), "offset beyond 2^63");
            c.request(0, 99, 5, 0, 0, null);
            assertEquals(Nbd.EINVAL, c.simple(0).error(), "unknown command");
            c.request(Nbd.CMD_FLAG_DF, Nbd.CMD_READ, 6, 0, 512, null);
            assertEquals(Nbd.EINVAL, c.simple(0).error(), "DF without structured replies");
            c.request(0, Nbd.CMD_BLOCK_STATUS, 7, 0, 512, null);
            assertEquals(Nbd.EINVAL, c.simple(0).error(), "block status without a metadata context");
            c.request(0, Nbd.CMD_READ, 8, 0, ServerConfig.defaults().maxRequest() + 1, null);
            assertEquals(Nbd.EINVAL, c.simple(0).error(), "read larger than the maximum payload");
            c.request(Nbd.CMD_FLAG_FAST_ZERO | Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_WRITE_ZEROES, 9, 0, 4096, null);
            assertEquals(0, c.simple(0).error(), "memory zeroes fast");
            c.request(0, Nbd.CMD_READ, 10, 0, 512, null);
            RawNbdClient.Chunk ok = c.simple(512);
            assertEquals(10, ok.cookie());
            assertEquals(0, ok.error());
        }
    }

    @Test
    void aReadOnlyGrantIsToldReadOnlyAndGetsEpermOnWrites() throws Exception {
        int port = start(NbdHandshakeTest.mem("ro", MIB, false, ExportAccess.parse("anonymous:ro")));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            long[] info = c.go("ro");
            assertTrue((info[1] & Nbd.FLAG_READ_ONLY) != 0);
            c.write(1, 0, new byte[512]);
            assertEquals(Nbd.EPERM, c.simple(0).error());
            c.request(0, Nbd.CMD_TRIM, 2, 0, 512, null);
            assertEquals(Nbd.EPERM, c.simple(0).error());
            c.request(0, Nbd.CMD_READ, 3, 0, 512, null);
            assertEquals(0, c.simple(512).error());
        }
    }

    @Test
    void structuredReadSendsHolesAsOffsetHoleChunks() throws Exception {
        int port = start(mem("m", 4 * MIB));
        try (RawNbdClient c = open(port, "m", true, false, false)) {
            byte[] data = pattern(MIB, 2);
            c.write(1, MIB, data); // chunk 1 written, chunks 0 and 2 never: holes
            assertEquals(0, c.simple(0).error());
            c.request(0, Nbd.CMD_READ, 2, 0, 3 * MIB, null);
            List<RawNbdClient.Chunk> chunks = c.chunks();
            assertEquals(3, chunks.size(), "hole, data, hole");
            assertEquals(Nbd.REPLY_TYPE_OFFSET_HOLE, chunks.get(0).type());
            ByteBuffer hole = ByteBuffer.wrap(chunks.get(0).payload());
            assertEquals(0, hole.getLong());
            assertEquals(MIB, hole.getInt());
            assertEquals(Nbd.REPLY_TYPE_OFFSET_DATA, chunks.get(1).type());
            ByteBuffer d = ByteBuffer.wrap(chunks.get(1).payload());
            assertEquals(MIB, d.getLong());
            byte[] got = new byte[MIB];
            d.get(got);
            assertArrayEquals(data, got);
            assertEquals(Nbd.REPLY_TYPE_OFFSET_HOLE, chunks.get(2).type());
            assertTrue(chunks.get(2).done() && !chunks.get(0).done() && !chunks.get(1).done(), "DONE on the last chunk only");
            chunks.forEach(ch -> assertEquals(2, ch.cookie()));

            c.request(Nbd.CMD_FLAG_DF, Nbd.CMD_READ, 3, 0, 3 * MIB, null);
            List<RawNbdClient.Chunk> df = c.chunks();
            assertEquals(1, df.size(), "don't fragment: one data chunk, zeros spelled out");
            assertEquals(8 + 3 * MIB, df.get(0).payload().length);
            c.request(0, Nbd.CMD_READ, 4, 8 * MIB, 512, null);
            RawNbdClient.Chunk error = c.chunk();
            assertEquals(Nbd.REPLY_TYPE_ERROR, error.type(), "a READ error is a structured error chunk");
            assertEquals(Nbd.EINVAL, error.errorValue());
            assertTrue(error.done());
            c.request(0, Nbd.CMD_FLUSH, 5, 0, 0, null);
            assertEquals(Nbd.SIMPLE_REPLY_MAGIC, c.chunk().magic(), "no data: a simple reply is allowed");
        }
    }

    @Test
    void blockStatusOfAFileComesFromItsHolesAndOfMemoryFromItsChunks() throws Exception {
        Export f = file("f", 8 * MIB);
        int port = start(f, mem("m", 8 * MIB));
        for (String name : List.of("f", "m")) {
            try (RawNbdClient c = open(port, name, true, true, false)) {
                c.write(1, 2 * MIB, pattern(MIB, 3));
                assertEquals(0, c.simple(0).error());
                c.request(0, Nbd.CMD_BLOCK_STATUS, 2, 0, 8 * MIB, null);
                RawNbdClient.Chunk s = c.chunk();
                assertEquals(Nbd.REPLY_TYPE_BLOCK_STATUS, s.type());
                assertTrue(s.done());
                ByteBuffer b = ByteBuffer.wrap(s.payload());
                assertEquals(NbdHandshakeHandler.BASE_ALLOCATION_ID, b.getInt());
                List<long[]> extents = new ArrayList<>();
                while (b.hasRemaining()) extents.add(new long[]{b.getInt() & 0xffffffffL, b.getInt()});
                assertEquals(3, extents.size(), name + ": hole, data, hole");
                assertArrayEquals(new long[]{2 * MIB, Nbd.STATE_HOLE | Nbd.STATE_ZERO}, extents.get(0), name);
                assertArrayEquals(new long[]{MIB, 0}, extents.get(1), name);
                assertArrayEquals(new long[]{5 * MIB, Nbd.STATE_HOLE | Nbd.STATE_ZERO}, extents.get(2), name);

                c.request(Nbd.CMD_FLAG_REQ_ONE, Nbd.CMD_BLOCK_STATUS, 3, 2 * MIB, 4096, null);
                ByteBuffer one = ByteBuffer.wrap(c.chunk().payload());
                one.getInt();
                assertEquals(4096, one.getInt(), "REQ_ONE: one extent, no longer than asked");
                assertEquals(0, one.getInt());
                assertFalse(one.hasRemaining());
                c.request(0, Nbd.CMD_BLOCK_STATUS, 4, 8 * MIB - 512, 1024, null);
                assertEquals(Nbd.EINVAL, c.chunk().errorValue(), "block status past the end");
            }
        }
    }

    @Test
    void extendedHeadersCarry64BitLengthsAndEchoTheOffset() throws Exception {
        int port = start(mem("m", 8 * MIB));
        try (RawNbdClient c = open(port, "m", false, true, true)) {
            byte[] data = pattern(4096, 4);
            c.write(1, 4 * MIB, data);
            RawNbdClient.Chunk w = c.chunk();
            assertEquals(Nbd.EXTENDED_REPLY_MAGIC, w.magic(), "no simple replies with extended headers");
            assertEquals(Nbd.REPLY_TYPE_NONE, w.type());
            assertEquals(4 * MIB, w.offset(), "the request's offset echoed");
            assertTrue(w.done());
            c.request(0, Nbd.CMD_READ, 2, 4 * MIB, 4096, null);
            RawNbdClient.Chunk r = c.chunk();
            assertEquals(Nbd.REPLY_TYPE_OFFSET_DATA, r.type());
            assertArrayEquals(data, Arrays.copyOfRange(r.payload(), 8, r.payload().length));
            c.request(0, Nbd.CMD_BLOCK_STATUS, 3, 0, 8L * MIB, null);
            RawNbdClient.Chunk s = c.chunk();
            assertEquals(Nbd.REPLY_TYPE_BLOCK_STATUS_EXT, s.type());
            ByteBuffer b = ByteBuffer.wrap(s.payload());
            b.getInt();
            assertEquals(3, b.getInt(), "descriptor count");
            assertEquals(4 * MIB, b.getLong());
            assertEquals(Nbd.STATE_HOLE | Nbd.STATE_ZERO, b.getLong());
            c.request(0, Nbd.CMD_WRITE_ZEROES, 4, 0, 1L << 40, null);
            assertEquals(Nbd.ENOSPC, c.chunk().errorValue(), "a 64-bit effect length past the end");
            c.request(0, Nbd.CMD_WRITE, 5, 0, 512, null); // a WRITE without PAYLOAD_LEN carries no data here
            assertEquals(Nbd.EINVAL, c.chunk().errorValue());
            c.request(Nbd.CMD_FLAG_PAYLOAD_LEN, Nbd.CMD_FLUSH, 6, 0, 8, new byte[8]); // payload consumed, then refused
            assertEquals(Nbd.EINVAL, c.chunk().errorValue());
            c.request(0, Nbd.CMD_FLUSH, 7, 0, 0, null);
            assertEquals(7, c.chunk().cookie(), "still framed after both");
        }
    }

    @Test
    void requestsBeyondTheInFlightLimitWaitInsteadOfCuttingTheClient() throws Exception {
        int port = start(ServerConfig.defaults().withMaxInFlight(4), mem("m", MIB));
        int n = 600;
        try (RawNbdClient c = open(port, "m", false, false, false)) {
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < n; i++) c.request(0, Nbd.CMD_READ, i, (i % 64) * 512L, 512, null);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            sender.start();
            Set<Long> cookies = new HashSet<>();
            for (int i = 0; i < n; i++) {
                RawNbdClient.Chunk r = c.simple(512);
                assertEquals(0, r.error());
                cookies.add(r.cookie());
            }
            sender.join(10_000);
            assertEquals(n, cookies.size(), "every request answered once");
        }
    }

    @Test
    void discAnswersEarlierRequestsThenCloses() throws Exception {
        Export f = file("d", 4 * MIB);
        int port = start(f);
        try (RawNbdClient c = open(port, "d", false, false, false)) {
            for (int i = 0; i < 20; i++) c.write(i, i * 4096L, pattern(4096, i));
            c.request(0, Nbd.CMD_DISC, 99, 0, 0, null);
            Set<Long> cookies = new HashSet<>();
            for (int i = 0; i < 20; i++) cookies.add(c.simple(0).cookie());
            assertEquals(20, cookies.size());
            assertTrue(c.closedByServer(), "closed after the last reply");
        }
        try (RawNbdClient c = open(port, "d", false, false, false)) {
            c.request(0, Nbd.CMD_READ, 1, 19 * 4096L, 4096, null);
            assertArrayEquals(pattern(4096, 19), c.simple(4096).payload(), "the writes before DISC were made");
        }
    }

    @Test
    void aBrokenFrameClosesOnlyItsConnection() throws Exception {
        int port = start(mem("m", MIB));
        try (RawNbdClient good = open(port, "m", false, false, false); RawNbdClient bad = open(port, "m", false, false, false)) {
            bad.out().write(new byte[28]); // no request magic
            bad.out().flush();
            assertTrue(bad.closedByServer());
            good.request(0, Nbd.CMD_READ, 1, 0, 512, null);
            assertEquals(0, good.simple(512).error());
        }
    }

    @Test
    void anOversizedCompactWriteIsSkippedAndRefusedAnExtendedOneClosesTheConnection() throws Exception {
        ServerConfig config = ServerConfig.defaults();
        int port = start(config, mem("m", 16 * MIB));
        int tooBig = config.maxRequest() + 4096;
        try (RawNbdClient c = open(port, "m", false, false, false)) {
            c.write(1, 0, new byte[tooBig]);
            assertEquals(Nbd.EINVAL, c.simple(0).error());
            c.request(0, Nbd.CMD_READ, 2, 0, 512, null);
            assertEquals(2, c.simple(512).cookie(), "the payload was skipped: still framed");
        }
        try (RawNbdClient c = open(port, "m", false, false, true)) {
            c.request(Nbd.CMD_FLAG_PAYLOAD_LEN, Nbd.CMD_WRITE, 1, 0, tooBig, null);
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aQuietTransmissionPhaseIsNotTimedOut() throws Exception {
        int port = start(ServerConfig.defaults().withIdleTimeout(Duration.ofMillis(300)), mem("m", MIB));
        try (RawNbdClient c = open(port, "m", false, false, false)) {
            Thread.sleep(1000); // NBD clients send no keepalives: an idle device stays connected
            c.request(0, Nbd.CMD_READ, 1, 0, 512, null);
            assertEquals(0, c.simple(512).error());
        }
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            assertTrue(c.closedByServer(), "a handshake that stalls is cut at the idle timeout");
        }
    }
}
