package dst.it;

import dst.it.harness.Blocks;
import dst.it.harness.RawConnection;
import dst.it.harness.ServerProcess;
import dst.protocol.Errno;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's per-connection bound on unanswered requests (WELCOME's MAX_IN_FLIGHT, {@code --max-in-flight}):
 * a client may have exactly that many in flight; one more gets the error frame (EPROTO) and its connection is
 * closed; a client that pipelines requests and never reads a reply is cut off too, instead of growing the
 * server's memory. Other connections are served all along.
 */
class ClientOverTheInFlightLimitIsCutOffAloneIT {
    private static final int LIMIT = 16;
    private static final int BLOCK = 4096;
    private static ServerProcess server;

    @BeforeAll
    static void start() {
        // "slow": every write takes 2 s, so pipelined writes are all in flight together, whatever the TCP segmentation.
        // A raw connection sends no keepalives: the "good" one idles while the flood runs (>10 s on a loaded machine),
        // so the default --idle-timeout of 10 s would close it for a reason this test is not about.
        server = ServerProcess.builder("inflight-limit")
                .export("slow=mem:16M,delay-write=2000").export("fast=mem:64M")
                .arg("--max-in-flight", String.valueOf(LIMIT), "--io-threads", "32", "--idle-timeout", "120")
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void exactlyTheLimitIsServedAndOneMoreClosesOnlyThatConnection() throws Exception {
        try (RawConnection good = RawConnection.open(server.port(), "fast");
             RawConnection atLimit = RawConnection.open(server.port(), "slow");
             RawConnection over = RawConnection.open(server.port(), "slow")) {
            assertEquals(LIMIT, good.info().maxInFlight(), "the WELCOME announces the limit");
            verifiedWriteRead(good, 0, 1);

            for (int i = 0; i < LIMIT; i++) over.send(write(over.nextTransactionId(), i));
            for (int i = 0; i < LIMIT; i++) atLimit.send(write(atLimit.nextTransactionId(), LIMIT + i));
            over.send(write(over.nextTransactionId(), 2 * LIMIT)); // one more than allowed

            Reply error = over.readReply(); // the writes take 2 s each: the error frame comes first
            try {
                assertEquals(Opcode.CONNECTION_ERROR, error.opcode(), error.toString());
                assertEquals(Errno.EPROTO, error.status(), RawConnection.errno(error.status()));
                assertTrue(error.message().contains("more than " + LIMIT + " requests in flight"), error.message());
            } finally {
                error.release();
            }
            verifiedWriteRead(good, 1 << 20, 2); // while the offender is being cut off
            assertTrue(over.awaitClosedByServer(Duration.ofSeconds(10)), "the offending connection is closed");

            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < LIMIT; i++) {
                Reply r = atLimit.readReply();
                try {
                    assertTrue(r.isOk(), "a client with exactly the limit in flight is served: " + r + " " + r.message());
                    answered.add(r.transactionId());
                } finally {
                    r.release();
                }
            }
            assertEquals(LIMIT, answered.size());
            verifiedWriteRead(good, 2 << 20, 3);
            assertTrue(server.isAlive());
            assertTrue(server.logText().contains("more than " + LIMIT + " requests in flight"), "the server logs why it closed");
        }
    }

    /**
     * A client that sends 1 MiB reads back to back and never reads: once the socket buffers are full the
     * replies would pile up in the server, but it cuts the client off (even though the error frame cannot
     * reach it) and its memory stays bounded, while another client is served.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void clientThatNeverReadsIsCutOffAndServerMemoryStaysBounded() throws Exception {
        long rssBefore = rssKiB(server.pid());
        try (RawConnection good = RawConnection.open(server.port(), "fast");
             RawConnection flooder = RawConnection.open(server.port(), "fast")) {
            int size = flooder.info().maxRequest();
            long sent = 0;
            long started = System.nanoTime();
            IOException cutOff = null;
            try {
                while (sent < 100_000) { // 100 GiB of replies if the server served them all
                    flooder.send(new Request(Opcode.READ, 0, flooder.nextTransactionId(), (sent % 64) * size, size));
                    sent++;
                }
            } catch (IOException e) {
                cutOff = e;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long rssAfter = rssKiB(server.pid());
            System.out.printf("never-reading client: %d requests of %d bytes sent in %.1f s before the server cut it off (%s); "
                    + "server RSS %d MiB before, %d MiB after%n", sent, size, seconds, cutOff, rssBefore >> 10, rssAfter >> 10);
            assertTrue(cutOff != null, "the server never cut off a client that sent " + sent + " reads without reading a reply");
            verifiedWriteRead(good, 3 << 20, 4);
            assertTrue(server.isAlive());
            // Bounded: 16 replies of 1 MiB, socket buffers and the JVM itself, not 100 GiB of replies.
            assertTrue(rssAfter < 1024 * 1024, "server RSS " + (rssAfter >> 10) + " MiB");
        }
    }

    /** PINGs are outside the request limit, but a peer that sends them and never reads the replies is cut off too. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void pingFloodWithoutReadingIsCutOff() throws Exception {
        try (RawConnection good = RawConnection.open(server.port(), "fast");
             RawConnection flooder = RawConnection.open(server.port(), "fast")) {
            byte[] ping = flooder.encode(new Request(Opcode.PING, 0, 0, 0, 0));
            byte[] burst = new byte[ping.length * 1000];
            for (int i = 0; i < 1000; i++) System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
            long sent = 0;
            IOException cutOff = null;
            try {
                while (sent < 50_000_000) { // 1.6 GB of replies
                    flooder.sendRaw(burst);
                    sent += 1000;
                }
            } catch (IOException e) {
                cutOff = e;
            }
            System.out.printf("never-reading PING sender: %d PINGs sent before the server cut it off (%s)%n", sent, cutOff);
            assertTrue(cutOff != null, "the server never cut off a client that sent " + sent + " PINGs without reading a reply");
            verifiedWriteRead(good, 4 << 20, 5);
            assertTrue(server.logText().contains("PING replies not read"), "the server logs why it closed");
        }
    }

    private static Request write(long id, int block) {
        byte[] data = Blocks.content(block, 0, BLOCK);
        return new Request(Opcode.WRITE, 0, id, (long) block * BLOCK, BLOCK, Unpooled.wrappedBuffer(data));
    }

    private static void verifiedWriteRead(RawConnection c, long offset, int seed) throws IOException {
        byte[] data = Blocks.content(seed, 0, 64 * 1024);
        c.write(offset, data);
        assertArrayEquals(data, c.read(offset, data.length), "the well-behaved client reads back what it wrote");
    }

    /** Resident set size of a process, from /proc. */
    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IOException("no VmRSS for " + pid);
    }
}
