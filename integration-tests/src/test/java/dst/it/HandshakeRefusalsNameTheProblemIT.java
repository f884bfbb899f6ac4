package dst.it;

import dst.it.harness.RawConnection;
import dst.it.harness.ServerProcess;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.protocol.Tlv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handshake against the real server: what WELCOME grants, and every refusal is an ERROR frame with
 * a precise errno and a message that names the problem, followed by a close. Unknown non-critical
 * options are ignored; sessions resume only for their own export.
 */
class HandshakeRefusalsNameTheProblemIT {
    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.builder("handshake")
                .export("alpha=mem:2M")
                .export("beta=mem:1M,block=4096")
                .arg("--max-request", "2M")
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static DstException refused(HandshakeFrame hello, int errno) throws IOException {
        try (RawConnection c = RawConnection.connect(server.port())) {
            c.send(hello);
            HandshakeFrame answer = c.readHandshake();
            DstException e = assertThrows(DstException.class, () -> ExportInfo.fromWelcome(answer), "not refused: " + answer);
            assertEquals(errno, e.errno(), e.getMessage());
            assertTrue(c.awaitClosedByServer(Duration.ofSeconds(5)), "connection left open after ERROR");
            return e;
        }
    }

    private static HandshakeFrame.Builder helloWithout(int... skipTags) {
        HandshakeFrame.Builder b = HandshakeFrame.builder(HandshakeFrame.HELLO);
        outer:
        for (HandshakeFrame.Option o : RawConnection.hello("alpha").toFrame().options()) {
            for (int skip : skipTags) if (o.tag() == skip) continue outer;
            b.bytes(o.tag(), o.value());
        }
        return b;
    }

    @Test
    void welcomeDescribesTheExportAndWhatWasGranted() throws IOException {
        try (RawConnection c = RawConnection.connect(server.port())) {
            ExportInfo info = c.handshake(new Hello("beta", 0xFFFF_FFFF, 0, 64 << 20, 0, "it").withAttach(Tlv.AttachFlags.SHARED));
            assertEquals("beta", info.name());
            assertEquals(1 << 20, info.size());
            assertEquals(4096, info.blockSize());
            assertFalse(info.readOnly());
            assertEquals(Features.KNOWN, info.features(), "granted = asked & known");
            assertEquals(2 << 20, info.maxRequest(), "capped at the server's --max-request");
            assertEquals(1, info.version());
            assertNotEquals(0, info.sessionId());
        }
        try (RawConnection c = RawConnection.connect(server.port())) {
            ExportInfo info = c.handshake(new Hello("alpha", Features.FLUSH, 0, 100, 0, "it").withAttach(Tlv.AttachFlags.SHARED));
            assertEquals(Features.FLUSH, info.features(), "crc32c not asked, not granted");
            assertEquals(4096, info.maxRequest(), "raised to the 4096 floor");
            assertEquals(512, info.blockSize());
            // Without crc32c the data phase still works (crc fields are zero).
            c.write(0, new byte[]{1, 2, 3, 4});
            assertEquals(4, c.read(0, 4)[3]);
        }
    }

    @Test
    void unknownExportGetsEnoentListingTheExports() throws IOException {
        DstException e = refused(RawConnection.hello("gamma").toFrame(), Errno.ENOENT);
        assertTrue(e.getMessage().contains("gamma") && e.getMessage().contains("alpha") && e.getMessage().contains("beta"),
                e.getMessage());
    }

    @Test
    void unknownRequiredFeatureGetsEopnotsupp() throws IOException {
        DstException e = refused(new Hello("alpha", Features.KNOWN, Features.CRC32C | (1 << 20), 1 << 20, 0, "it").toFrame(),
                Errno.EOPNOTSUPP);
        assertTrue(e.getMessage().contains("0x100000"), e.getMessage());
    }

    @Test
    void unknownCriticalOptionGetsEopnotsupp() throws IOException {
        DstException e = refused(helloWithout().bytes(Tlv.CRITICAL | 0x0321, new byte[]{1}).build(), Errno.EOPNOTSUPP);
        assertTrue(e.getMessage().contains("0x8321"), e.getMessage());
    }

    @Test
    void unknownNonCriticalOptionIsIgnored() throws IOException {
        try (RawConnection c = RawConnection.connect(server.port())) {
            c.send(helloWithout().bytes(0x0321, new byte[]{1, 2}).string(0x7FFE, "from the future").build());
            ExportInfo info = ExportInfo.fromWelcome(c.readHandshake());
            assertEquals("alpha", info.name());
        }
    }

    @Test
    void disjointProtocolVersionsGetEproto() throws IOException {
        DstException e = refused(helloWithout(Tlv.PROTOCOL_VERSION).u32(Tlv.PROTOCOL_VERSION, (2 << 16) | 5).build(), Errno.EPROTO);
        assertTrue(e.getMessage().contains("2..5") && e.getMessage().contains("1..1"), e.getMessage());
    }

    @Test
    void helloWithoutExportNameGetsEinval() throws IOException {
        refused(helloWithout(Tlv.EXPORT_NAME).build(), Errno.EINVAL);
    }

    @Test
    void optionOfTheWrongWidthGetsEproto() throws IOException {
        DstException e = refused(helloWithout(Tlv.FEATURES).bytes(Tlv.FEATURES, new byte[3]).build(), Errno.EPROTO);
        assertTrue(e.getMessage().contains("must be 4 bytes"), e.getMessage());
    }

    @Test
    void firstFrameThatIsNotHelloGetsEproto() throws IOException {
        DstException e = refused(HandshakeFrame.builder(HandshakeFrame.AUTH).bytes(Tlv.PROOF, new byte[32]).build(), Errno.EPROTO);
        assertTrue(e.getMessage().contains("expected HELLO"), e.getMessage());
    }

    @Test
    void sessionIsResumedForItsExportOnlyAndUnknownIdsGetANewOne() throws IOException {
        long session;
        try (RawConnection first = RawConnection.connect(server.port())) {
            session = first.handshake("alpha").sessionId();
        }
        try (RawConnection again = RawConnection.connect(server.port())) {
            assertEquals(session, again.handshake(new Hello("alpha", Features.KNOWN, 0, 1 << 20, session, "it").withAttach(Tlv.AttachFlags.SHARED)).sessionId());
        }
        try (RawConnection other = RawConnection.connect(server.port())) {
            assertNotEquals(session, other.handshake(new Hello("beta", Features.KNOWN, 0, 1 << 20, session, "it").withAttach(Tlv.AttachFlags.SHARED)).sessionId());
        }
        try (RawConnection stranger = RawConnection.connect(server.port())) {
            long fresh = stranger.handshake(new Hello("alpha", Features.KNOWN, 0, 1 << 20, 0x5EED, "it").withAttach(Tlv.AttachFlags.SHARED)).sessionId();
            assertNotEquals(0x5EED, fresh);
            assertNotEquals(0, fresh);
        }
    }

    @Test
    void resumingASessionClosesItsPreviousConnection() throws IOException {
        try (RawConnection first = RawConnection.open(server.port(), "alpha")) {
            long session = first.info().sessionId();
            try (RawConnection second = RawConnection.connect(server.port())) {
                second.handshake(new Hello("alpha", Features.KNOWN, 0, 1 << 20, session, "it").withAttach(Tlv.AttachFlags.SHARED));
                assertTrue(first.awaitClosedByServer(Duration.ofSeconds(5)), "the fenced connection stayed open");
                second.write(0, new byte[]{9});
                assertEquals(9, second.read(0, 1)[0]);
            }
        }
    }
}
