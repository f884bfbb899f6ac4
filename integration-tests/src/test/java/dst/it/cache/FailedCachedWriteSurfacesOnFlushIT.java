package dst.it.cache;

import dst.client.cache.WriteBackCache;
import dst.client.core.DeviceStats;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.ServerProcess;
import dst.protocol.DstException;
import dst.protocol.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dst.it.cache.CacheTestSupport.BLOCK;
import static dst.it.harness.Blocks.buffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cached write that the server never acknowledges (the server process is frozen with SIGSTOP past the I/O
 * deadline) is not silently lost: the write itself was acknowledged from memory, so the next flush fails with
 * EIO, once; after the server is back, later writes and flushes work again.
 */
class FailedCachedWriteSurfacesOnFlushIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void backgroundWriteFailureMakesTheNextFlushFailWithEio() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerProcess server = ServerProcess.start("cache-eio", "d=" + image + ",size=1M")) {
            RemoteDisk remote = RemoteDisk.connect(CacheTestSupport.config(server.port(), "d", Duration.ofSeconds(1)));
            try (WriteBackCache cache = new WriteBackCache(remote, 8L << 20)) {
                run(server, remote, cache);
            }
        }
    }

    private void run(ServerProcess server, RemoteDisk remote, WriteBackCache cache) throws Exception {
        {
            cache.write(0, buffer(0, 1), false).get(5, TimeUnit.SECONDS);
            cache.flush().get(30, TimeUnit.SECONDS);

            long reconnects = remote.stats().reconnects.sum();
            signal("STOP", server.pid());
            try {
                cache.write(BLOCK, buffer(1, 1), false).get(5, TimeUnit.SECONDS); // acknowledged from memory
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (cache.dirtyBytes() > 0 && System.nanoTime() < until) Thread.sleep(20);
                assertEquals(0, cache.dirtyBytes(), "the background write must have failed by its 1 s deadline");
            } finally {
                signal("CONT", server.pid());
            }

            awaitReconnected(remote, reconnects);
            ExecutionException e = assertThrows(ExecutionException.class, () -> cache.flush().get(30, TimeUnit.SECONDS));
            DstException d = assertInstanceOf(DstException.class, e.getCause());
            assertEquals(Errno.EIO, d.errno(), "a lost cached write is reported as EIO: " + d.getMessage());
            assertTrue(d.getMessage().contains("could not be written"), d.getMessage());

            cache.write(2L * BLOCK, buffer(2, 1), false).get(5, TimeUnit.SECONDS);
            cache.flush().get(30, TimeUnit.SECONDS); // reported once; the device works again
        }
    }

    /** The client reconnects by itself once the server runs again; wait for that before the next requests. */
    private static void awaitReconnected(RemoteDisk remote, long reconnectsBefore) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((remote.stats().reconnects.sum() == reconnectsBefore || remote.stats().state() != DeviceStats.State.CONNECTED)
                && System.nanoTime() < until) Thread.sleep(20);
        assertEquals(DeviceStats.State.CONNECTED, remote.stats().state(), "client reconnected after SIGCONT");
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + sig);
    }
}
