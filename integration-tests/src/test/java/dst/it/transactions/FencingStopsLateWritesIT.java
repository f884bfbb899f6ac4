package dst.it.transactions;

import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.ByteBufs;
import dst.it.harness.FaultProxy;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fencing: a write held in a slow backend when its connection is cut must not land after newer data.
 * The server delays only its first write (3 s). The client writes OLD, the link is cut while OLD is
 * stuck in the backend, the client reconnects and resends OLD, then writes NEW over it. Without the
 * fence the stuck OLD would finish last and overwrite NEW; with it, the new connection is served only
 * after the old request finished, so the final content is NEW.
 */
class FencingStopsLateWritesIT {
    private static final long STUCK_MILLIS = 3000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void newerWriteWinsOverAStuckWriteOfTheDeadConnection() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerProcess server = ServerProcess.start("fencing", "d=" + image + ",size=16M,delay-write=" + STUCK_MILLIS + ",delay-count=1");
             FaultProxy proxy = FaultProxy.start(server.port());
             RemoteDisk disk = RemoteDisk.connect(Clients.config(proxy.port(), "d", Duration.ofSeconds(30), Duration.ofSeconds(1)))) {
            long x = 4096;
            long start = System.nanoTime();
            CompletableFuture<Void> old = disk.write(x, Blocks.buffer(x, 1), false);
            Thread.sleep(500); // OLD is now inside the server's slow backend
            proxy.cutAll();
            old.get(20, TimeUnit.SECONDS); // resent on the new connection and acknowledged there
            long oldAckedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            disk.write(x, Blocks.buffer(x, 2), false).get(20, TimeUnit.SECONDS);
            disk.flush().get(20, TimeUnit.SECONDS);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (elapsed < STUCK_MILLIS + 1000) Thread.sleep(STUCK_MILLIS + 1000 - elapsed); // any late write has landed by now

            byte[] back = ByteBufs.bytes(disk.read(x, Blocks.SIZE).get(10, TimeUnit.SECONDS));
            assertEquals(Blocks.Verdict.OK, Blocks.check(back, x, 2), "final content must be the newer write");
            server.terminate();
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(Blocks.SIZE);
                file.read(b, x);
                assertEquals(Blocks.Verdict.OK, Blocks.check(b.array(), x, 2), "the server's file must hold the newer write");
            }
            assertTrue(disk.stats().reconnects.sum() >= 1, disk.stats().summary());
            assertTrue(oldAckedMillis >= STUCK_MILLIS - 200,
                    "the resent OLD was served after " + oldAckedMillis + " ms, before the stuck one finished: no fence");
            System.out.printf("fencing: stuck write %d ms, resent OLD acknowledged after %d ms, final content NEW; %s%n",
                    STUCK_MILLIS, oldAckedMillis, disk.stats().summary());
        }
    }
}
