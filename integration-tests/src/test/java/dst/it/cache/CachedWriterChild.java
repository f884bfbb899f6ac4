package dst.it.cache;

import dst.client.cache.WriteBackCache;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Run as a separate process by {@link ClientCrashLosesOnlyUnflushedWritesIT}: writes generation 1 of every
 * block through the write-back cache and flushes ("FLUSHED"), then writes generation 2 of every block without
 * flushing ("WRITTEN") and waits to be killed.
 */
public final class CachedWriterChild {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int blocks = Integer.parseInt(args[1]);
        WriteBackCache cache = new WriteBackCache(RemoteDisk.connect(CacheTestSupport.config(port, "d", Duration.ofSeconds(60))), 64L << 20);
        for (int b = 0; b < blocks; b++) cache.write((long) b * CacheTestSupport.BLOCK, Blocks.buffer(b, 1), false);
        cache.flush().get(60, TimeUnit.SECONDS);
        System.out.println("FLUSHED");
        for (int b = 0; b < blocks; b++) cache.write((long) b * CacheTestSupport.BLOCK, Blocks.buffer(b, 2), false).get();
        System.out.println("WRITTEN");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
