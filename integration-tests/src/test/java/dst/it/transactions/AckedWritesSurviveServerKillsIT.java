package dst.it.transactions;

import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.ByteBufs;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core promise under fire: a writer keeps 16 verified writes in flight and flushes every 64
 * writes while the real server process is SIGKILLed and restarted 20 times at random moments.
 * Afterwards every acknowledged write reads back exactly (from the server and from its file), and
 * the writer never saw an error, because each outage was shorter than the I/O deadline.
 */
class AckedWritesSurviveServerKillsIT {
    private static final int BLOCKS = 8192; // 32 MiB of 4 KiB blocks
    private static final int KILLS = 20;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyAcknowledgedWriteSurvivesTwentyKills() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerProcess server = ServerProcess.start("kill9", "d=" + image + ",size=" + (BLOCKS * (long) Blocks.SIZE));
             // io-timeout 90 s: a write issued just before a kill waits out the restart, and a JVM start took over 20 s at
             // load 17 on 2 cores (at 30 s such a write failed with EIO: right for the client, not what this test is about).
             RemoteDisk disk = RemoteDisk.connect(Clients.config(server.port(), "d", Duration.ofSeconds(90), Duration.ofSeconds(1)))) {
            long[] acked = new long[BLOCKS];
            long[] issued = new long[BLOCKS];
            Set<Integer> inflight = ConcurrentHashMap.newKeySet();
            Semaphore slots = new Semaphore(16);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> writerError = new AtomicReference<>();
            AtomicLong writes = new AtomicLong();
            AtomicLong flushes = new AtomicLong();

            Thread writer = new Thread(() -> {
                Random random = new Random(42);
                try {
                    while (!stop.get() && writerError.get() == null) {
                        int block = random.nextInt(BLOCKS);
                        if (!inflight.add(block)) continue;
                        slots.acquire();
                        long gen = ++issued[block];
                        long offset = (long) block * Blocks.SIZE;
                        disk.write(offset, Blocks.buffer(offset, gen), false).whenComplete((v, e) -> {
                            if (e != null) writerError.compareAndSet(null, e);
                            else synchronized (acked) { acked[block] = Math.max(acked[block], gen); }
                            inflight.remove(block);
                            slots.release();
                        });
                        if (writes.incrementAndGet() % 64 == 0) {
                            disk.flush().get(60, TimeUnit.SECONDS);
                            flushes.incrementAndGet();
                        }
                    }
                    slots.acquire(16);
                    disk.flush().get(60, TimeUnit.SECONDS);
                } catch (Throwable t) {
                    writerError.compareAndSet(null, t);
                }
            }, "verified-writer");
            writer.start();

            Random chaos = new Random(7);
            for (int i = 0; i < KILLS; i++) {
                // Up long enough for the client to get back in (its reconnect backoff is capped at 1 s),
                // then killed at a random moment of the write stream.
                Thread.sleep(1000 + chaos.nextInt(1500));
                server.kill9();
                Thread.sleep(50 + chaos.nextInt(500));
                server.restart();
            }
            Thread.sleep(1000);
            stop.set(true);
            writer.join(120_000);

            assertNull(writerError.get(), () -> "the writer saw an error: " + writerError.get());
            assertTrue(disk.stats().reconnects.sum() >= KILLS / 2, "expected reconnects, stats: " + disk.stats().summary());

            Map<Blocks.Verdict, Integer> viaServer = verify(acked, (offset) -> ByteBufs.bytes(disk.read(offset, Blocks.SIZE).get(30, TimeUnit.SECONDS)));
            server.terminate();
            Map<Blocks.Verdict, Integer> onDisk;
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
                onDisk = verify(acked, offset -> {
                    ByteBuffer b = ByteBuffer.allocate(Blocks.SIZE);
                    file.read(b, offset);
                    return b.array();
                });
            }
            System.out.printf("kill -9 x%d: %d writes, %d flushes, %s; via server %s; in the file %s%n", KILLS, writes.get(),
                    flushes.get(), disk.stats().summary(), viaServer, onDisk);
            assertEquals(BLOCKS, viaServer.get(Blocks.Verdict.OK), "read through the server: " + viaServer);
            assertEquals(BLOCKS, onDisk.get(Blocks.Verdict.OK), "read from the server's file: " + onDisk);
        }
    }

    interface BlockReader {
        byte[] read(long offset) throws Exception;
    }

    private static Map<Blocks.Verdict, Integer> verify(long[] acked, BlockReader reader) throws Exception {
        Map<Blocks.Verdict, Integer> verdicts = new EnumMap<>(Blocks.Verdict.class);
        for (Blocks.Verdict v : Blocks.Verdict.values()) verdicts.put(v, 0);
        for (int block = 0; block < acked.length; block++) {
            long offset = (long) block * Blocks.SIZE;
            verdicts.merge(Blocks.check(reader.read(offset), offset, acked[block]), 1, Integer::sum);
        }
        return verdicts;
    }
}
