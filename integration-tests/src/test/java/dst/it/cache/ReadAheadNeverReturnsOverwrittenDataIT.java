package dst.it.cache;

import dst.client.cache.ReadAhead;
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
import java.util.concurrent.TimeUnit;

import static dst.it.cache.CacheTestSupport.BLOCK;
import static dst.it.harness.Blocks.buffer;
import static dst.it.harness.ByteBufs.bytes;
import static dst.it.harness.Blocks.content;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Sequential reads through read-ahead (on top of the write-back cache, as attach stacks them) against a real
 * server: every read returns the newest data, including blocks overwritten after they were prefetched, both
 * while the overwrite is only in the cache and after it reached the server.
 */
class ReadAheadNeverReturnsOverwrittenDataIT {
    private static final int BLOCKS = 2048; // 8 MiB
    private static final int READ = 32 * 1024;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void sequentialReadsSeeEveryWriteMadeBeforeThem() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerProcess server = ServerProcess.start("readahead", "d=" + image + ",size=" + (BLOCKS * (long) BLOCK));
             ReadAhead disk = new ReadAhead(new WriteBackCache(RemoteDisk.connect(CacheTestSupport.config(server.port(), "d", Duration.ofSeconds(60))), 16L << 20),
                     1 << 20, 256 << 10)) {
            for (int b = 0; b < BLOCKS; b++) disk.write((long) b * BLOCK, buffer(b, 1), false);
            disk.flush().get(60, TimeUnit.SECONDS);

            int[] generation = new int[BLOCKS];
            java.util.Arrays.fill(generation, 1);
            for (int round = 0; round < 2; round++) {
                for (long at = 0; at < BLOCKS * (long) BLOCK; at += READ) {
                    byte[] got = bytes(disk.read(at, READ).get(30, TimeUnit.SECONDS));
                    for (int i = 0; i < READ / BLOCK; i++) {
                        int b = (int) (at / BLOCK) + i;
                        byte[] expected = content(b, generation[b]);
                        byte[] actual = java.util.Arrays.copyOfRange(got, i * BLOCK, (i + 1) * BLOCK);
                        assertArrayEquals(expected, actual, "round " + round + ", block " + b + " generation " + generation[b]);
                    }
                    // Overwrite blocks just ahead of the reader: they are prefetched already.
                    int ahead = (int) ((at + READ) / BLOCK) + 8 + round;
                    if (ahead < BLOCKS && (at / READ) % 3 == 0) {
                        generation[ahead]++;
                        disk.write((long) ahead * BLOCK, buffer(ahead, generation[ahead]), false).get(5, TimeUnit.SECONDS);
                    }
                }
                disk.flush().get(60, TimeUnit.SECONDS);
            }
        }
    }
}
