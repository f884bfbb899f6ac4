package dst.it.cache;

import dst.client.cache.WriteBackCache;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.ByteBufs;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dst.it.cache.CacheTestSupport.BLOCK;
import static dst.it.harness.Blocks.buffer;
import static dst.it.harness.ByteBufs.bytes;
import static dst.it.harness.Blocks.content;
import static dst.it.harness.Blocks.isGeneration;
import static dst.it.cache.CacheTestSupport.onServer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write-back cache against a real server whose every write takes 1 s: writes are acknowledged from client
 * memory long before the server has them, reads see them at once, overlapping writes land in the order they
 * were made, and a flush completes only once every earlier write is in the server's file.
 */
class FlushWaitsForEveryCachedWriteIT {
    private static final int BLOCKS = 48;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void flushCompletesOnlyWhenEveryEarlierWriteIsOnTheServer() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerProcess server = ServerProcess.start("cache-flush", "d=" + image + ",size=1M,delay-write=1000");
             WriteBackCache cache = new WriteBackCache(RemoteDisk.connect(CacheTestSupport.config(server.port(), "d", Duration.ofSeconds(60))), 8L << 20)) {
            long start = System.nanoTime();
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int b = 0; b < BLOCKS; b++) acks.add(cache.write((long) b * BLOCK, buffer(b, 1), false));
            // The same block three times: the server must end with the last one although it runs writes in parallel.
            acks.add(cache.write(0, buffer(0, 2), false));
            acks.add(cache.write(0, buffer(0, 3), false));
            for (CompletableFuture<Void> a : acks) a.get(5, TimeUnit.SECONDS);
            long ackedAfterMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ackedAfterMs < 1000, "writes are acknowledged from memory, not after the server's 1 s per write: took " + ackedAfterMs + " ms");

            assertArrayEquals(content(0, 3), bytes(cache.read(0, BLOCK).get(5, TimeUnit.SECONDS)), "a read sees the newest cached write");
            assertArrayEquals(content(7, 1), bytes(cache.read(7L * BLOCK, BLOCK).get(5, TimeUnit.SECONDS)));
            byte[] span = bytes(cache.read(BLOCK - 100, 200).get(5, TimeUnit.SECONDS)); // across two cached writes
            for (int i = 0; i < 100; i++) assertTrue(span[i] == content(0, 3)[BLOCK - 100 + i] && span[100 + i] == content(1, 1)[i]);

            CompletableFuture<Void> flush = cache.flush();
            assertFalse(flush.isDone(), "flush must wait for the server, which needs seconds for these writes");
            assertFalse(isGeneration(onServer(image, BLOCKS - 1), BLOCKS - 1, 1), "the server cannot have the last write yet");
            flush.get(90, TimeUnit.SECONDS);
            for (int b = 1; b < BLOCKS; b++) {
                assertTrue(isGeneration(onServer(image, b), b, 1), "block " + b + " must be in the server's file once flush completed");
            }
            assertTrue(isGeneration(onServer(image, 0), 0, 3), "overlapping writes reach the server in order: the last one wins");
            assertTrue(server.logText().contains("d"), "server log readable");
        }
    }
}
