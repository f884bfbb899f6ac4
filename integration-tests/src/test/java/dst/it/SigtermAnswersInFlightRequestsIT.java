package dst.it;

import dst.it.harness.RawConnection;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM is a graceful shutdown: writes already running on the server (held there by a deliberately
 * slow backend) are finished and answered with success before the connection closes, their data is in
 * the export's file afterwards, and the process exits by itself.
 */
class SigtermAnswersInFlightRequestsIT {
    private static final int DELAY_MS = 800;
    private ServerProcess server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void runningWritesAreAnsweredAndDurableAfterSigterm() throws Exception {
        Path file = Repo.targetDir("it-data").resolve("sigterm.img");
        Files.deleteIfExists(file);
        server = ServerProcess.start("sigterm", "disk=" + file + ",size=4M,delay-write=" + DELAY_MS);
        Map<Long, byte[]> sent = new HashMap<>();
        Random random = new Random(17);
        try (RawConnection c = RawConnection.open(server.port(), "disk")) {
            for (int i = 0; i < 8; i++) {
                byte[] block = new byte[65536];
                random.nextBytes(block);
                long id = c.nextTransactionId();
                sent.put(id, block);
                c.send(new Request(Opcode.WRITE, 0, id, 65536L * i, block.length, Unpooled.wrappedBuffer(block)));
            }
            // A PING is answered by the event loop once everything before it was decoded and handed to
            // the I/O threads: after its reply every write is sleeping inside the backend.
            c.send(new Request(Opcode.PING, 0, 999, 0, 0));
            Reply pong = c.readReply();
            assertEquals(Opcode.PING, pong.opcode(), "a write finished before the PING: backend delay too short");
            pong.release();

            long t0 = System.nanoTime();
            int exit = server.terminate(Duration.ofSeconds(20));
            long shutdownMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(shutdownMillis >= DELAY_MS / 2,
                    "the server exited after " + shutdownMillis + " ms: it did not wait for its running writes");
            assertEquals(143, exit, "exit status after SIGTERM; log:\n" + server.logText());

            // The replies were sent before the close; they wait in our socket buffer.
            for (int i = 0; i < sent.size(); i++) {
                Reply r = c.readReply();
                try {
                    assertEquals(Opcode.WRITE, r.opcode(), r.toString());
                    assertTrue(r.isOk(), "in-flight write failed at shutdown: " + r + " " + r.message());
                    assertTrue(sent.containsKey(r.transactionId()), "unexpected " + r);
                } finally {
                    r.release();
                }
            }
            assertThrows(EOFException.class, c::readReply, "more than one reply per request, or the connection stayed open");
        }

        byte[] onDisk = Files.readAllBytes(file);
        for (Map.Entry<Long, byte[]> e : sent.entrySet()) {
            int offset = (int) (65536L * (e.getKey() - 1));
            assertArrayEquals(e.getValue(), Arrays.copyOfRange(onDisk, offset, offset + 65536),
                    "answered write of transaction " + e.getKey() + " is not in the file");
        }
        assertTrue(server.logText().contains("shutdown complete"), server.logText());
    }

    @Test
    void idleServerExitsPromptlyOnSigterm() throws IOException {
        server = ServerProcess.start("sigterm-idle", "disk=mem:1M");
        try (RawConnection c = RawConnection.open(server.port(), "disk")) {
            c.write(0, new byte[512]);
            long t0 = System.nanoTime();
            assertEquals(143, server.terminate(Duration.ofSeconds(10)));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000, "slow shutdown with nothing to do");
            assertTrue(c.awaitClosedByServer(Duration.ofSeconds(2)));
        }
    }
}
