package dst.it;

import dst.it.harness.RawConnection;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.Hello;
import dst.protocol.Tlv;
import dst.protocol.Opcode;
import dst.protocol.Request;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server side of fencing, seen on the wire: a client whose connection died while one of its writes
 * was running (held by a slow backend) and another was queued resumes its session on a new connection.
 * The server answers that handshake only after the running write finished, never runs the queued one,
 * and then serves the new connection, whose write is the one that stays.
 */
class ResumedSessionFencesItsOldConnectionIT {
    private static final int DELAY_MS = 1000;
    private static final int BLOCK = 65536;
    private ServerProcess server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[BLOCK];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void resumeWaitsForTheRunningWriteAndDiscardsTheQueuedOne() throws Exception {
        Path file = Repo.targetDir("it-data").resolve("fencing.img");
        Files.deleteIfExists(file);
        // One I/O thread: the first write runs (sleeping in the backend), the second waits behind it.
        server = ServerProcess.builder("fencing")
                .export("disk=" + file + ",size=4M,delay-write=" + DELAY_MS)
                .arg("--io-threads", "1")
                .start();

        long session;
        long cutAt;
        try (RawConnection old = RawConnection.open(server.port(), "disk")) {
            session = old.info().sessionId();
            old.send(new Request(Opcode.WRITE, 0, 1, 0, BLOCK, Unpooled.wrappedBuffer(filled(1))));
            old.send(new Request(Opcode.WRITE, 0, 2, BLOCK, BLOCK, Unpooled.wrappedBuffer(filled(2))));
            // The PING's reply means both writes were decoded and handed to the (single) I/O thread.
            old.send(new Request(Opcode.PING, 0, 3, 0, 0));
            var pong = old.readReply();
            assertEquals(Opcode.PING, pong.opcode(), "a write finished before the PING: backend delay too short");
            pong.release();
            cutAt = System.nanoTime();
        } // the connection dies with write 1 running and write 2 queued

        try (RawConnection next = RawConnection.connect(server.port())) {
            ExportInfo info = next.handshake(new Hello("disk", Features.KNOWN, 0, 1 << 20, session, "it").withAttach(Tlv.AttachFlags.SHARED));
            long waitedMillis = (System.nanoTime() - cutAt) / 1_000_000;
            assertEquals(session, info.sessionId(), "session not resumed");
            assertTrue(waitedMillis >= DELAY_MS / 2,
                    "WELCOME after " + waitedMillis + " ms, while the old write still had up to " + DELAY_MS + " ms to run");

            next.write(0, filled(3));
            assertArrayEquals(filled(3), next.read(0, BLOCK), "the newer write did not stay");
            assertArrayEquals(new byte[BLOCK], next.read(BLOCK, BLOCK), "the queued write of the dead connection ran");
        }
        assertEquals(143, server.terminate());
        byte[] onDisk = Files.readAllBytes(file);
        assertArrayEquals(filled(3), Arrays.copyOfRange(onDisk, 0, BLOCK));
        assertArrayEquals(new byte[BLOCK], Arrays.copyOfRange(onDisk, BLOCK, 2 * BLOCK));
    }
}
