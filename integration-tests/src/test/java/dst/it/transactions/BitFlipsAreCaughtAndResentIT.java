package dst.it.transactions;

import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.ByteBufs;
import dst.it.harness.FaultProxy;
import dst.it.harness.ServerProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A link that flips about one bit per million bytes in both directions during a 1 GiB write and
 * read: crc32c catches every flip (the connection is reset and the transactions resent), no corrupt
 * byte reaches the server's file or the reader, and the detections are counted.
 */
class BitFlipsAreCaughtAndResentIT {
    private static final long TOTAL = 1L << 30;
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    private static byte[] chunk(long offset) {
        return Blocks.content(offset, 0, CHUNK);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyFlipIsDetectedAndNothingCorruptLands() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerProcess server = ServerProcess.start("bitflips", "d=" + image + ",size=" + TOTAL);
             FaultProxy proxy = FaultProxy.start(server.port());
             RemoteDisk disk = RemoteDisk.connect(Clients.config(proxy.port(), "d", Duration.ofSeconds(120), Duration.ofSeconds(2)))) {
            proxy.flipBits(1e-6, 20261125L, FaultProxy.Direction.CLIENT_TO_SERVER, FaultProxy.Direction.SERVER_TO_CLIENT);

            Semaphore slots = new Semaphore(8);
            AtomicReference<Throwable> error = new AtomicReference<>();
            long started = System.nanoTime();
            for (long off = 0; off < TOTAL && error.get() == null; off += CHUNK) {
                slots.acquire();
                disk.write(off, Unpooled.wrappedBuffer(chunk(off)), false).whenComplete((v, e) -> {
                    if (e != null) error.compareAndSet(null, e);
                    slots.release();
                });
            }
            slots.acquire(8);
            slots.release(8);
            disk.flush().get(120, TimeUnit.SECONDS);
            assertNull(error.get(), () -> "write failed: " + error.get());

            AtomicLong badChunks = new AtomicLong();
            for (long off = 0; off < TOTAL && error.get() == null; off += CHUNK) {
                slots.acquire();
                long at = off;
                CompletableFuture<ByteBuf> f = disk.read(off, CHUNK);
                f.whenComplete((buf, e) -> {
                    if (e != null) error.compareAndSet(null, e);
                    else if (!Arrays.equals(ByteBufs.bytes(buf), chunk(at))) badChunks.incrementAndGet();
                    slots.release();
                });
            }
            slots.acquire(8);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertNull(error.get(), () -> "read failed: " + error.get());

            long flipped = proxy.bitsFlipped(FaultProxy.Direction.CLIENT_TO_SERVER) + proxy.bitsFlipped(FaultProxy.Direction.SERVER_TO_CLIENT);
            long clientDetected = disk.stats().crcErrors.sum();
            long serverDetected = server.logText().lines().filter(l -> l.contains("bad frame")).count();
            proxy.heal();
            server.terminate();

            long badOnDisk = 0;
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(CHUNK);
                for (long off = 0; off < TOTAL; off += CHUNK) {
                    b.clear();
                    while (b.hasRemaining() && file.read(b, off + b.position()) > 0) { }
                    if (!Arrays.equals(b.array(), chunk(off))) badOnDisk++;
                }
            }
            System.out.printf("bit flips: %d bits flipped in %d s; detected: %d by the client (crc), %d bad frames logged by the server; %s%n",
                    flipped, seconds, clientDetected, serverDetected, disk.stats().summary());
            assertEquals(0, badChunks.get(), "chunks read back corrupt");
            assertEquals(0, badOnDisk, "chunks corrupt in the server's file");
            assertTrue(flipped > 0, "the proxy flipped nothing");
            assertTrue(clientDetected + serverDetected > 0, "no corruption was detected although " + flipped + " bits were flipped");
            assertTrue(disk.stats().reconnects.sum() > 0, "corruption must reset the connection");
        }
    }
}
