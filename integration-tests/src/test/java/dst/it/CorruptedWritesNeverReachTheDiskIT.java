package dst.it;

import dst.it.harness.FaultProxy;
import dst.it.harness.FaultProxy.Direction;
import dst.it.harness.RawConnection;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import dst.protocol.Errno;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes pass through the fault proxy, which flips bits on the way to the server. The server's crc32c
 * checks refuse every corrupted frame with an error frame (EBADMSG, or EPROTO when the magic was hit)
 * and close the connection; the writer reconnects and resends. At the end the server's file holds
 * exactly the acknowledged data: no flipped bit ever reached the disk.
 */
class CorruptedWritesNeverReachTheDiskIT {
    private static final int SIZE = 16 << 20;
    private static final double FLIP_RATE = 1e-5;
    private ServerProcess server;
    private FaultProxy proxy;

    @AfterEach
    void stop() {
        if (proxy != null) proxy.close();
        if (server != null) server.close();
    }

    @Test
    void everyCorruptedWriteIsRefusedAndResentUntilTheFileIsExact() throws Exception {
        Path file = Repo.targetDir("it-data").resolve("corrupted-writes.img");
        Files.deleteIfExists(file);
        server = ServerProcess.start("corrupted-writes", "disk=" + file + ",size=" + SIZE);
        proxy = FaultProxy.start(server.port());

        byte[] expected = new byte[SIZE];
        Random random = new Random(23);
        int connectionErrors = 0;
        int seed = 0;
        RawConnection c = null;
        try {
            for (int i = 0; i < 300; i++) {
                byte[] block = new byte[4096 * (1 + random.nextInt(16))];
                random.nextBytes(block);
                long offset = 4096L * random.nextInt(SIZE / 4096 - 16);
                while (true) {
                    if (c == null) {
                        // A clean handshake (a flipped handshake length could stall it until the idle timeout),
                        // then flips again, with a new seed so a resend is not hit at the same place.
                        proxy.flipBits(0, 0, Direction.CLIENT_TO_SERVER);
                        c = RawConnection.open(proxy.port(), "disk");
                        proxy.flipBits(FLIP_RATE, ++seed, Direction.CLIENT_TO_SERVER);
                    }
                    long id = c.nextTransactionId();
                    c.send(new Request(Opcode.WRITE, 0, id, offset, block.length, Unpooled.wrappedBuffer(block)));
                    Reply r = c.readReply();
                    try {
                        if (r.opcode() == Opcode.WRITE && r.transactionId() == id) {
                            assertEquals(Errno.OK, r.status(), r.message());
                            System.arraycopy(block, 0, expected, (int) offset, block.length);
                            break;
                        }
                        assertEquals(Opcode.CONNECTION_ERROR, r.opcode(), "unexpected " + r);
                        assertTrue(Set.of(Errno.EBADMSG, Errno.EPROTO).contains(r.status()),
                                "corruption reported as " + RawConnection.errno(r.status()) + ": " + r.message());
                        connectionErrors++;
                    } finally {
                        r.release();
                    }
                    assertTrue(c.awaitClosedByServer(java.time.Duration.ofSeconds(5)), "not closed after the error frame");
                    c.close();
                    c = null;
                }
            }
        } catch (EOFException | SocketException e) {
            throw new AssertionError("the server closed without an error frame", e);
        } finally {
            if (c != null) c.close();
        }
        proxy.flipBits(0, 0, Direction.CLIENT_TO_SERVER);
        long flipped = proxy.bitsFlipped(Direction.CLIENT_TO_SERVER);
        System.out.printf("corrupted writes: %d bits flipped, %d connection errors, %d connections%n",
                flipped, connectionErrors, proxy.connectionsAccepted());
        assertTrue(connectionErrors > 10, "too few corruptions to prove anything: " + connectionErrors);
        assertTrue(flipped >= connectionErrors);

        assertEquals(143, server.terminate());
        assertArrayEquals(expected, Files.readAllBytes(file), "the file differs from the acknowledged writes");
    }
}
