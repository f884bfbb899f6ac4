package dst.it.transactions;

import dst.client.core.DeviceStats;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.FaultProxy;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A half-open link (the proxy swallows everything both ways and closes nothing): each side notices
 * on its own within its bound (the client: 3 keepalive intervals; the server: its idle timeout), and
 * once the link heals the client is connected again and I/O resumes without an error.
 */
class HalfOpenConnectionIsReplacedIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void clientNoticesASilentLinkWithinItsKeepaliveBound() throws Exception {
        Duration keepalive = Duration.ofSeconds(1);
        try (ServerProcess server = ServerProcess.builder("halfopen-client").export("d=" + dir.resolve("disk.img") + ",size=16M")
                .arg("--idle-timeout", "60").start();
             FaultProxy proxy = FaultProxy.start(server.port());
             RemoteDisk disk = RemoteDisk.connect(Clients.config(proxy.port(), "d", Duration.ofSeconds(60), keepalive));
             Writer writer = new Writer(disk)) {
            Thread.sleep(500);
            proxy.blackhole(true);
            long noticed = waitFor(() -> disk.stats().state() != DeviceStats.State.CONNECTED, 20_000);
            assertTrue(noticed >= 0 && noticed <= 3 * keepalive.toMillis() + 1500, "client noticed the dead link after " + noticed + " ms");
            long resumed = healAndAwaitProgress(proxy, writer);
            assertEquals(DeviceStats.State.CONNECTED, disk.stats().state());
            System.out.printf("half-open, client side: noticed after %d ms (keepalive %d ms), I/O resumed %d ms after healing; %s%n",
                    noticed, keepalive.toMillis(), resumed, disk.stats().summary());
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void serverNoticesASilentLinkWithinItsIdleTimeout() throws Exception {
        try (ServerProcess server = ServerProcess.builder("halfopen-server").export("d=" + dir.resolve("disk.img") + ",size=16M")
                .arg("--idle-timeout", "2").start();
             FaultProxy proxy = FaultProxy.start(server.port());
             RemoteDisk disk = RemoteDisk.connect(Clients.config(proxy.port(), "d", Duration.ofSeconds(60), Duration.ofSeconds(30)));
             Writer writer = new Writer(disk)) {
            Thread.sleep(500);
            proxy.blackhole(true);
            long noticed = waitFor(() -> server.logText().contains("nothing received within the idle timeout"), 20_000);
            assertTrue(noticed >= 0 && noticed <= 2000 + 1500, "server noticed the dead link after " + noticed + " ms");
            long resumed = healAndAwaitProgress(proxy, writer);
            System.out.printf("half-open, server side: noticed after %d ms (idle timeout 2000 ms), I/O resumed %d ms after healing; %s%n",
                    noticed, resumed, disk.stats().summary());
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Milliseconds until {@code c} holds, or -1 after {@code limitMillis}. */
    private static long waitFor(Condition c, long limitMillis) throws Exception {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(limitMillis)) {
            if (c.holds()) return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            Thread.sleep(20);
        }
        return -1;
    }

    private static long healAndAwaitProgress(FaultProxy proxy, Writer writer) throws Exception {
        proxy.heal();
        long before = writer.completed.get();
        long resumed = waitFor(() -> writer.completed.get() >= before + 10, 30_000);
        assertTrue(resumed >= 0, "I/O did not resume after the link healed");
        writer.close();
        assertNull(writer.error.get(), () -> "writer failed: " + writer.error.get());
        return resumed;
    }

    /** Small verified writes, one at a time, until closed. */
    private static final class Writer implements AutoCloseable {
        final AtomicLong completed = new AtomicLong();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Writer(RemoteDisk disk) {
            thread = new Thread(() -> {
                long gen = 0;
                try {
                    while (!stop.get()) {
                        long off = (gen % 256) * Blocks.SIZE;
                        disk.write(off, Blocks.buffer(off, ++gen), false).get(90, TimeUnit.SECONDS);
                        completed.incrementAndGet();
                        Thread.sleep(20);
                    }
                } catch (Throwable t) {
                    error.set(t);
                }
            }, "writer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(60_000);
        }
    }
}
