package dst.it.nbd;

import dst.client.core.ClientConfig;
import dst.client.core.NbdUri;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.FaultProxy;
import dst.it.harness.Io;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NBD multi-conn. dst-server's NBD port (a file export: CAN_MULTI_CONN) behind a FaultProxy: the device opens 4
 * connections by default; generations 1..3 of each block are submitted back to back without waiting, so they go
 * out on different connections, and the cross-connection hold must keep the newest last; one connection is reset
 * halfway while the others go on; after a FLUSH (on one connection) every block reads back as its newest
 * generation, through the device and in the server's file, and the stats show the reconnect and 4/4 connections.
 * nbdkit without multi-conn (its multi-conn filter, mode disable): 1 connection by default, 2 refused clearly.
 */
class NbdMultiConnIT {
    private static final int BLOCKS = 2048;
    private static final int GENERATIONS = 3;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fourConnectionsKeepOverlappingWritesInOrderAndSurviveOneCut() throws Exception {
        Path image = tmp.resolve("disk.img");
        try (ServerProcess server = ServerProcess.builder("multi-conn").nbd().jvmArg("-Dio.netty.leakDetection.level=paranoid")
                .export("disk=" + image + ",size=16M").start();
             FaultProxy proxy = FaultProxy.start(server.nbdPort());
             RemoteDisk disk = RemoteDisk.connect(config("nbd://127.0.0.1:" + proxy.port() + "/disk"))) {
            assertEquals(4, disk.stats().connections(), "the default with CAN_MULTI_CONN");
            assertEquals(4, disk.stats().connected());
            assertEquals(4, proxy.connectionsAccepted());

            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int block = 0; block < BLOCKS; block++) {
                if (block == BLOCKS / 2) assertTrue(proxy.cutOne(), "no connection to cut");
                for (int g = 1; g <= GENERATIONS; g++) {
                    writes.add(disk.write((long) block * Blocks.SIZE, Blocks.buffer(block, g), false));
                }
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
            disk.flush().get(20, TimeUnit.SECONDS);

            try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
                for (int block = 0; block < BLOCKS; block++) {
                    long at = (long) block * Blocks.SIZE;
                    assertEquals(Blocks.Verdict.OK, Blocks.check(Io.read(disk, at, Blocks.SIZE), block, GENERATIONS), "block " + block + " on the device");
                    ByteBuffer b = ByteBuffer.allocate(Blocks.SIZE);
                    file.read(b, at);
                    assertEquals(Blocks.Verdict.OK, Blocks.check(b.array(), block, GENERATIONS), "block " + block + " in the server's file");
                }
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (disk.stats().connected() < 4 && System.nanoTime() < until) Thread.sleep(50);
            String summary = disk.stats().summary();
            System.out.println("multi-conn: " + summary + "; proxy accepted " + proxy.connectionsAccepted());
            assertTrue(summary.contains("connections=4/4"), summary);
            assertTrue(disk.stats().reconnects.sum() >= 1, "the cut connection came back: " + summary);
            assertEquals(5, proxy.connectionsAccepted(), "only the cut connection reconnected: " + summary);
            assertEquals(0, disk.stats().errors.sum() + disk.stats().timedOut.sum(), summary);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void withoutCanMultiConnOneConnectionAndMoreAreRefused() throws Exception {
        try (StockNbdServer nbdkit = StockNbdServer.nbdkit(tmp, "--filter=multi-conn", "memory", "16M", "multi-conn-mode=disable")) {
            try (RemoteDisk disk = RemoteDisk.connect(config(nbdkit.uri()))) {
                assertEquals(1, disk.stats().connections());
                Io.writeAndVerify(disk, 0, 1, Blocks.SIZE);
            }
            DstException refused = assertThrows(DstException.class,
                    () -> RemoteDisk.connect(NbdUri.parse(nbdkit.uri()).toConfig().connections(2).build()));
            assertEquals(Errno.EOPNOTSUPP, refused.errno());
            assertTrue(refused.getMessage().contains("CAN_MULTI_CONN"), refused.getMessage());
        }
    }

    /**
     * All 6144 writes are submitted at once and each one's deadline runs from its submission, so the io-timeout must
     * cover the whole batch: it took 44 s with paranoid leak detection at load 12 on 2 cores, and at 30 s the last
     * writes of a slower run timed out with EIO (the test is about ordering across connections, not about deadlines).
     */
    private static ClientConfig config(String uri) {
        return NbdUri.parse(uri).toConfig().ioTimeout(Duration.ofSeconds(120)).build();
    }
}
