package dst.it.transactions;

import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.ByteBufs;
import dst.it.harness.ServerProcess;
import dst.protocol.DstException;
import dst.protocol.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server down for longer than the I/O deadline: the pending write fails with EIO within deadline +
 * 2 s, the client stays usable, new I/O succeeds once the server is back, and the timed-out write
 * never appears on the server ("rolled back", never resent).
 */
class TimedOutWriteIsNeverResentIT {
    private static final Duration DEADLINE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void pendingWriteFailsAtItsDeadlineAndNeverLands() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerProcess server = ServerProcess.start("deadline", "d=" + image + ",size=16M");
             RemoteDisk disk = RemoteDisk.connect(Clients.config(server.port(), "d", DEADLINE, Duration.ofSeconds(1)))) {
            long x = 0;
            long y = 1 << 20;
            disk.write(x, Blocks.buffer(x, 1), false).get(10, TimeUnit.SECONDS);
            disk.flush().get(10, TimeUnit.SECONDS);

            server.kill9();
            long start = System.nanoTime();
            CompletableFuture<Void> doomed = disk.write(x, Blocks.buffer(x, 2), false);
            ExecutionException failure = assertThrows(ExecutionException.class, () -> doomed.get(30, TimeUnit.SECONDS));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(Errno.EIO, DstException.errnoOf(failure), "errno of " + failure.getCause());
            assertTrue(tookMillis <= DEADLINE.toMillis() + 2000, "EIO after " + tookMillis + " ms, deadline " + DEADLINE);
            assertTrue(tookMillis >= DEADLINE.toMillis() - 200, "EIO too early: " + tookMillis + " ms");

            Thread.sleep(1500); // well past the deadline, still down: nothing may be queued for later
            server.restart();
            disk.write(y, Blocks.buffer(y, 1), false).get(20, TimeUnit.SECONDS);
            disk.flush().get(10, TimeUnit.SECONDS);
            byte[] back = ByteBufs.bytes(disk.read(x, Blocks.SIZE).get(10, TimeUnit.SECONDS));
            assertEquals(Blocks.Verdict.OK, Blocks.check(back, x, 1), "the timed-out write (generation 2) must not land");
            server.terminate();
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(Blocks.SIZE);
                file.read(b, x);
                assertEquals(Blocks.Verdict.OK, Blocks.check(b.array(), x, 1), "server file holds the timed-out write");
            }
            System.out.printf("deadline %d ms: EIO after %d ms; %s%n", DEADLINE.toMillis(), tookMillis, disk.stats().summary());
            assertEquals(1, disk.stats().timedOut.sum());
        }
    }
}
