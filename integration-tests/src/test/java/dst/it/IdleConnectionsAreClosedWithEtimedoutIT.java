package dst.it;

import dst.it.harness.RawConnection;
import dst.it.harness.ServerProcess;
import dst.protocol.Errno;
import dst.protocol.HandshakeFrame;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import dst.protocol.Tlv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's side of dead-peer detection: a connection that sends nothing for the idle timeout,
 * in the handshake or in the data phase, gets an ETIMEDOUT error frame and is closed; one that
 * keeps PINGing stays open.
 */
class IdleConnectionsAreClosedWithEtimedoutIT {
    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.builder("idle").export("disk=mem:1M").arg("--idle-timeout", "1").start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void silentClientInTheHandshakeGetsEtimedout() throws IOException {
        try (RawConnection c = RawConnection.connect(server.port())) {
            long t0 = System.nanoTime();
            HandshakeFrame f = c.readHandshake();
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(HandshakeFrame.ERROR, f.type());
            assertEquals(Errno.ETIMEDOUT, f.u32(Tlv.ERRNO).orElseThrow(), f.string(Tlv.MESSAGE).orElse(""));
            assertTrue(waited >= 800 && waited < 5000, "closed after " + waited + " ms with a 1 s idle timeout");
            assertTrue(c.awaitClosedByServer(Duration.ofSeconds(2)));
        }
    }

    @Test
    void silentClientInTheDataPhaseGetsEtimedout() throws IOException {
        try (RawConnection c = RawConnection.open(server.port(), "disk")) {
            Reply r = c.readReply();
            try {
                assertEquals(Opcode.CONNECTION_ERROR, r.opcode());
                assertEquals(Errno.ETIMEDOUT, r.status(), r.message());
            } finally {
                r.release();
            }
            assertTrue(c.awaitClosedByServer(Duration.ofSeconds(2)));
        }
    }

    @Test
    void pingingClientStaysConnected() throws Exception {
        try (RawConnection c = RawConnection.open(server.port(), "disk")) {
            for (int i = 0; i < 10; i++) {
                Thread.sleep(300);
                assertEquals(Errno.OK, c.status(new Request(Opcode.PING, 0, c.nextTransactionId(), 0, 0)));
            }
            assertEquals(512, c.read(0, 512).length, "connection lost despite keepalives");
        }
    }
}
