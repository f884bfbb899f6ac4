package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import dst.runtime.transport.Transport;
import dst.server.backend.MemoryBackend;
import dst.server.export.Export;
import dst.server.export.ExportAccess;
import dst.server.export.ExportSpec;
import dst.server.net.DstServer;
import dst.server.net.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Option haggling against a running server's NBD port, byte by byte as the NBD spec writes it. */
class NbdHandshakeTest {
    private DstServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
    }

    static Export mem(String name, long size, boolean readOnly, ExportAccess access) {
        return new Export(new ExportSpec(name, "mem:" + size, readOnly, size, 512, 0, 0, access), new MemoryBackend(size), 7);
    }

    private int start(Export... exports) throws Exception {
        server = DstServer.start(List.of(exports), ServerConfig.defaults(), Transport.tcp(new InetSocketAddress("127.0.0.1", 0)),
                Transport.tcp(new InetSocketAddress("127.0.0.1", 0)));
        return server.nbdAddress().getPort();
    }

    @Test
    void greetingOffersFixedNewstyleAndNoZeroes() throws Exception {
        int port = start(mem("a", 1 << 20, false, ExportAccess.EVERYONE));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            assertEquals(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES, c.handshakeFlags);
        }
    }

    @Test
    void unknownOptionIsRefusedAndHagglingGoesOn() throws Exception {
        int port = start(mem("a", 1 << 20, false, ExportAccess.EVERYONE));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.option(0x4242, "junk".getBytes());
            RawNbdClient.OptionReply r = c.reply();
            assertEquals(0x4242, r.option());
            assertEquals(Nbd.REP_ERR_UNSUP, r.type());
            c.option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
            assertEquals(Nbd.REP_ACK, c.reply().type());
            long[] info = c.go("a");
            assertEquals(1 << 20, info[0]);
            assertTrue((info[1] & Nbd.FLAG_SEND_DF) != 0, "DF offered with structured replies");
        }
    }

    @Test
    void infoAnswersExportNameDescriptionAndBlockSizeWithoutEnteringTransmission() throws Exception {
        int port = start(mem("disk", 8 << 20, true, ExportAccess.EVERYONE));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.option(Nbd.OPT_INFO, RawNbdClient.infoRequest("disk", Nbd.INFO_NAME, Nbd.INFO_DESCRIPTION, Nbd.INFO_BLOCK_SIZE));
            List<RawNbdClient.OptionReply> replies = c.replies();
            assertEquals(Nbd.REP_ACK, replies.get(replies.size() - 1).type());
            boolean export = false, name = false, description = false, blockSize = false;
            for (RawNbdClient.OptionReply r : replies.subList(0, replies.size() - 1)) {
                assertEquals(Nbd.REP_INFO, r.type());
                ByteBuffer b = ByteBuffer.wrap(r.data());
                switch (b.getShort()) {
                    case Nbd.INFO_EXPORT -> {
                        export = true;
                        assertEquals(8 << 20, b.getLong());
                        int flags = b.getShort() & 0xffff;
                        assertTrue((flags & Nbd.FLAG_READ_ONLY) != 0, "read-only export");
                        assertEquals(0, flags & Nbd.FLAG_SEND_TRIM, "no trim on a read-only export");
                    }
                    case Nbd.INFO_NAME -> name = new String(r.data(), 2, r.data().length - 2, StandardCharsets.UTF_8).equals("disk");
                    case Nbd.INFO_DESCRIPTION -> description = r.data().length > 2;
                    case Nbd.INFO_BLOCK_SIZE -> {
                        blockSize = true;
                        assertEquals(1, b.getInt());
                        assertEquals(4096, b.getInt());
                        assertEquals(ServerConfig.defaults().maxRequest(), b.getInt());
                    }
                    default -> {
                    }
                }
            }
            assertTrue(export && name && description && blockSize);
            c.go("disk"); // still haggling after INFO
        }
    }

    @Test
    void unknownExportIsErrUnknownAndListNamesTheExports() throws Exception {
        int port = start(mem("a", 1 << 20, false, ExportAccess.EVERYONE), mem("b", 1 << 20, false, ExportAccess.EVERYONE));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.option(Nbd.OPT_GO, RawNbdClient.infoRequest("nope"));
            assertEquals(Nbd.REP_ERR_UNKNOWN, c.reply().type());
            c.option(Nbd.OPT_LIST, new byte[0]);
            List<RawNbdClient.OptionReply> list = c.replies();
            assertEquals(3, list.size());
            assertEquals("a", exportName(list.get(0)));
            assertEquals("b", exportName(list.get(1)));
            assertEquals(Nbd.REP_ACK, list.get(2).type());
            c.option(Nbd.OPT_LIST, new byte[]{1});
            assertEquals(Nbd.REP_ERR_INVALID, c.reply().type(), "LIST with data");
        }
    }

    private static String exportName(RawNbdClient.OptionReply r) {
        assertEquals(Nbd.REP_SERVER, r.type());
        ByteBuffer b = ByteBuffer.wrap(r.data());
        int n = b.getInt();
        return new String(r.data(), 4, n, StandardCharsets.UTF_8);
    }

    @Test
    void abortIsAcknowledgedThenClosed() throws Exception {
        int port = start(mem("a", 1 << 20, false, ExportAccess.EVERYONE));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.option(Nbd.OPT_ABORT, new byte[0]);
            assertEquals(Nbd.REP_ACK, c.reply().type());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void exportNameFallbackSendsSizeFlagsAndZeroesUnlessNoZeroes() throws Exception {
        int port = start(mem("a", 1 << 20, false, ExportAccess.EVERYONE));
        for (boolean noZeroes : new boolean[]{true, false}) {
            try (RawNbdClient c = new RawNbdClient(port).greet(Nbd.FLAG_C_FIXED_NEWSTYLE | (noZeroes ? Nbd.FLAG_C_NO_ZEROES : 0))) {
                c.option(Nbd.OPT_EXPORT_NAME, "a".getBytes());
                c.request(0, Nbd.CMD_FLUSH, 99, 0, 0, null);
                // size u64, flags u16, [124 zeroes], then the simple reply to the FLUSH
                byte[] expected = ByteBuffer.allocate(10 + (noZeroes ? 0 : 124)).putLong(1 << 20).array();
                byte[] got = c.readBytes(expected.length);
                assertArrayEquals(java.util.Arrays.copyOf(expected, 8), java.util.Arrays.copyOf(got, 8));
                for (int i = 10; i < got.length; i++) assertEquals(0, got[i], "zero padding");
                RawNbdClient.Chunk flush = c.simple(0);
                assertEquals(99, flush.cookie());
                assertEquals(0, flush.error());
            }
        }
    }

    @Test
    void exportNameForAnUnknownExportClosesTheConnection() throws Exception {
        int port = start(mem("a", 1 << 20, false, ExportAccess.EVERYONE));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.option(Nbd.OPT_EXPORT_NAME, "nope".getBytes());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void unknownClientFlagsCloseTheConnection() throws Exception {
        int port = start(mem("a", 1 << 20, false, ExportAccess.EVERYONE));
        try (RawNbdClient c = new RawNbdClient(port).greet(0x80)) {
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void metaContextNeedsStructuredRepliesAndOffersBaseAllocation() throws Exception {
        int port = start(mem("a", 1 << 20, false, ExportAccess.EVERYONE));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.option(Nbd.OPT_SET_META_CONTEXT, RawNbdClient.metaRequest("a", Nbd.BASE_ALLOCATION));
            assertEquals(Nbd.REP_ERR_INVALID, c.reply().type());
            c.option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
            assertEquals(Nbd.REP_ACK, c.reply().type());
            c.option(Nbd.OPT_LIST_META_CONTEXT, RawNbdClient.metaRequest("a"));
            List<RawNbdClient.OptionReply> list = c.replies();
            assertEquals(2, list.size());
            assertEquals(Nbd.REP_META_CONTEXT, list.get(0).type());
            assertEquals(Nbd.BASE_ALLOCATION, new String(list.get(0).data(), 4, list.get(0).data().length - 4, StandardCharsets.UTF_8));
            c.option(Nbd.OPT_SET_META_CONTEXT, RawNbdClient.metaRequest("a", "x-unknown:thing", Nbd.BASE_ALLOCATION));
            List<RawNbdClient.OptionReply> set = c.replies();
            assertEquals(2, set.size(), "only base:allocation is selected; unknown namespaces are ignored");
            assertTrue(ByteBuffer.wrap(set.get(0).data()).getInt() != 0, "a selected context has an id");
            c.option(Nbd.OPT_SET_META_CONTEXT, new byte[]{0, 0, 0, 9});
            assertEquals(Nbd.REP_ERR_INVALID, c.reply().type(), "a name length past the data");
        }
    }

    @Test
    void accessRulesRefuseAnonymousClientsWithPolicyAndHideTheExportFromList() throws Exception {
        int port = start(mem("open", 1 << 20, false, ExportAccess.EVERYONE), mem("secret", 1 << 20, false, ExportAccess.parse("alice:rw")),
                mem("ro", 1 << 20, false, ExportAccess.parse("anonymous:ro")));
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.option(Nbd.OPT_GO, RawNbdClient.infoRequest("secret"));
            RawNbdClient.OptionReply r = c.reply();
            assertEquals(Nbd.REP_ERR_POLICY, r.type());
            assertTrue(r.text().contains("may not use export 'secret'"), r.text());
            assertTrue(server.renderMetrics().contains("dst_server_auth_failures_total{reason=\"rules\"} 1"),
                    "an NBD refusal counts as a dst one does:\n" + server.renderMetrics());
            c.option(Nbd.OPT_LIST, new byte[0]);
            assertEquals(3, c.replies().size(), "open, ro, ACK");
            long[] info = c.go("ro");
            assertTrue((info[1] & Nbd.FLAG_READ_ONLY) != 0, "an anonymous:ro rule makes the export read-only");
        }
    }
}
