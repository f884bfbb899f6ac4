package dst.it.client;

import dst.client.core.ClientConfig;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.ServerProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The client library keeps many requests in flight on one connection: 128 writes submitted at once,
 * then 128 reads at once (against a server whose writes are slowed down, so they really overlap),
 * all complete, each with its own data; the replies arrive out of order and still match.
 */
class ManyRequestsInFlightIT {
    private static final int N = 128;
    private static final int SIZE = 64 * 1024;

    private static byte[] data(int i) {
        return Blocks.content(i, 0, SIZE);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void hundredTwentyEightConcurrentWritesAndReadsAllComplete() throws Exception {
        try (ServerProcess server = ServerProcess.builder("inflight").export("d=mem:64M,delay-write=20").arg("--io-threads", "32").start();
             RemoteDisk disk = RemoteDisk.connect(ClientConfig.of("127.0.0.1", server.port(), "d"))) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < N; i++) writes.add(disk.write((long) i * SIZE, Unpooled.wrappedBuffer(data(i)), false));
            int pendingAfterSubmit = disk.pending();
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            List<CompletableFuture<ByteBuf>> reads = new ArrayList<>();
            for (int i = N - 1; i >= 0; i--) reads.add(disk.read((long) i * SIZE, SIZE));
            for (int k = 0; k < N; k++) {
                int i = N - 1 - k;
                ByteBuf buf = reads.get(k).get(60, TimeUnit.SECONDS);
                try {
                    byte[] got = new byte[SIZE];
                    buf.getBytes(buf.readerIndex(), got);
                    assertArrayEquals(data(i), got, "block " + i);
                } finally {
                    buf.release();
                }
            }
            System.out.printf("in flight right after submitting %d writes: %d; %s%n", N, pendingAfterSubmit, disk.stats().summary());
            assertEquals(N, disk.stats().writes.sum());
            assertEquals(N, disk.stats().reads.sum());
            // With 20 ms per write on the server and 32 I/O threads, nearly all 128 must have been outstanding together.
            org.junit.jupiter.api.Assertions.assertTrue(pendingAfterSubmit >= N / 2, "only " + pendingAfterSubmit + " in flight");
        }
    }

    /**
     * A server that allows only 8 requests in flight per connection (--max-in-flight 8, told in WELCOME): the
     * client still takes 128 writes at once, keeps the rest queued and sends them as replies come in, so it is
     * never cut off (no reconnect, no overrun in the server's log) and every write lands. 20 ms per write, 8 at
     * a time, is at least 320 ms: had the client sent more at once, the server would have closed the connection.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void keepsToTheServersInFlightLimitByQueueingTheRest() throws Exception {
        int limit = 8;
        try (ServerProcess server = ServerProcess.builder("inflight-window").export("d=mem:64M,delay-write=20")
                .arg("--io-threads", "32", "--max-in-flight", String.valueOf(limit)).start();
             RemoteDisk disk = RemoteDisk.connect(ClientConfig.of("127.0.0.1", server.port(), "d"))) {
            assertEquals(limit, disk.info().maxInFlight());
            long started = System.nanoTime();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < N; i++) writes.add(disk.write((long) i * SIZE, Unpooled.wrappedBuffer(data(i)), false));
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            for (int i = 0; i < N; i += 17) {
                ByteBuf buf = disk.read((long) i * SIZE, SIZE).get(30, TimeUnit.SECONDS);
                try {
                    byte[] got = new byte[SIZE];
                    buf.getBytes(buf.readerIndex(), got);
                    assertArrayEquals(data(i), got, "block " + i);
                } finally {
                    buf.release();
                }
            }
            System.out.printf("%d writes through a window of %d: %d ms; %s%n", N, limit, millis, disk.stats().summary());
            assertEquals(0, disk.stats().reconnects.sum(), "the client was never cut off");
            org.junit.jupiter.api.Assertions.assertFalse(server.logText().contains("requests in flight"), server.logText());
            org.junit.jupiter.api.Assertions.assertTrue(millis >= N / limit * 20, "the server ran more than " + limit
                    + " writes at once: " + millis + " ms");
        }
    }
}
