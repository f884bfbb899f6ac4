package dst.it.transactions;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A server process restart keeps the page cache, a server machine restart does not. The server tells
 * its boot identity in WELCOME (simulated here with {@code -Ddst.bootId}); after reconnecting to a new
 * boot with acknowledged but unflushed writes, the client fails the next flush with EIO, as a disk
 * whose volatile cache lost power must, instead of reporting a durability it cannot know. Without
 * unflushed writes, or after a mere process restart, flushes succeed.
 */
class ServerRebootFailsTheNextFlushIT {
    @TempDir
    Path dir;

    private ServerProcess serve(Path image, int port, long bootId) {
        return ServerProcess.builder("reboot-" + bootId).jvmArg("-Ddst.bootId=" + bootId).port(port)
                .export("d=" + image + ",size=16M").start();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void unflushedWritesAcrossAMachineRestartFailTheNextFlushOnce() throws Exception {
        Path image = dir.resolve("disk.img");
        ServerProcess first = serve(image, 0, 1);
        int port = first.port();
        try (RemoteDisk disk = RemoteDisk.connect(Clients.config(port, "d", Duration.ofSeconds(30), Duration.ofSeconds(1)))) {
            // 1. Flushed before the "reboot": nothing to report.
            disk.write(0, Blocks.buffer(0, 1), false).get(10, TimeUnit.SECONDS);
            disk.flush().get(10, TimeUnit.SECONDS);
            first.kill9();
            try (ServerProcess second = serve(image, port, 2)) {
                disk.flush().get(30, TimeUnit.SECONDS);

                // 2. Acknowledged, not flushed, then the machine "reboots": the next flush fails, once.
                disk.write(4096, Blocks.buffer(4096, 1), false).get(10, TimeUnit.SECONDS);
                second.kill9();
                try (ServerProcess third = serve(image, port, 3)) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> disk.flush().get(30, TimeUnit.SECONDS));
                    assertEquals(Errno.EIO, DstException.errnoOf(e), String.valueOf(e.getCause()));
                    disk.flush().get(10, TimeUnit.SECONDS);

                    // 3. A process restart on the same boot keeps the page cache: no error.
                    disk.write(8192, Blocks.buffer(8192, 1), false).get(10, TimeUnit.SECONDS);
                    third.kill9();
                    try (ServerProcess fourth = serve(image, port, 3)) {
                        disk.flush().get(30, TimeUnit.SECONDS);
                        System.out.printf("reboot detection: flush after a machine restart with unflushed writes failed with EIO, others succeeded; %s%n",
                                disk.stats().summary());
                    }
                }
            }
        } finally {
            first.close();
        }
    }
}
