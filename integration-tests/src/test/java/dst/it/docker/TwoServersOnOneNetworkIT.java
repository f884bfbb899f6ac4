package dst.it.docker;

import dst.client.core.ClientConfig;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The base of the multi-server tests: two server containers on one user-defined network, each
 * reachable from the host on its own loopback port and from the network by its name; the dst-client
 * image, started on the same network, reaches both by name. Each server keeps its own data.
 */
class TwoServersOnOneNetworkIT {
    /** The test's data: {@link Blocks} of BLOCK_SIZE, block b of generation g seeded by both. */
    private static final int BLOCK_SIZE = 64 << 10;
    private static final int BLOCKS = 64;
    private static final long SIZE = (long) BLOCK_SIZE * BLOCKS; // 4 MiB

    @BeforeEach
    void needsDocker() {
        DockerRig.assumeAvailable();
    }

    @Test
    void bothServersServeTheirOwnDataOnOneNetwork() throws Exception {
        long started = System.nanoTime();
        try (Network network = DstNetwork.create();
             ServerContainer a = ServerContainer.start(ServerContainer.freshDataDir("two-a"), "disk0", SIZE, network, "dst-a");
             ServerContainer b = ServerContainer.start(ServerContainer.freshDataDir("two-b"), "disk0", SIZE, network, "dst-b")) {
            long up = System.nanoTime();
            writeAll(a, 1);
            writeAll(b, 2);
            verifyAll(a, 1);
            verifyAll(b, 2);
            long written = System.nanoTime();
            for (String name : new String[]{"dst-a", "dst-b"}) {
                String info = clientOnNetwork(network, "info", name + ":" + ServerContainer.PORT + "/disk0");
                assertTrue(info.contains("size:") && info.contains(String.valueOf(SIZE)), "info via " + name + ":\n" + info);
            }
            System.out.printf("docker two servers: up in %d ms, written and verified in %d ms, client containers by name in %d ms%n",
                    ms(up - started), ms(written - up), ms(System.nanoTime() - written));
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Runs the dst-client image once on {@code network} and returns what it printed (it must exit 0). */
    private static String clientOnNetwork(Network network, String... args) {
        try (GenericContainer<?> client = new GenericContainer<>(DockerRig.clientImage())
                .withLabels(DockerRig.LABELS)
                .withNetwork(network)
                .withCommand(args)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
            client.start();
            return client.getLogs();
        }
    }

    private static RemoteDisk connect(ServerContainer s) throws Exception {
        return RemoteDisk.connect(ClientConfig.of("127.0.0.1", s.hostPort(), "disk0"));
    }

    private static void writeAll(ServerContainer s, int generation) throws Exception {
        try (RemoteDisk disk = connect(s)) {
            for (int blk = 0; blk < BLOCKS; blk++) {
                disk.write((long) blk * BLOCK_SIZE, Blocks.buffer(blk, generation, BLOCK_SIZE), false).get(30, TimeUnit.SECONDS);
            }
            disk.flush().get(30, TimeUnit.SECONDS);
        }
    }

    private static void verifyAll(ServerContainer s, int generation) throws Exception {
        try (RemoteDisk disk = connect(s)) {
            for (int blk = 0; blk < BLOCKS; blk++) {
                ByteBuf buf = disk.read((long) blk * BLOCK_SIZE, BLOCK_SIZE).get(30, TimeUnit.SECONDS);
                try {
                    byte[] got = new byte[BLOCK_SIZE];
                    buf.getBytes(buf.readerIndex(), got);
                    assertArrayEquals(Blocks.content(blk, generation, BLOCK_SIZE), got, "block " + blk + " of " + s.id());
                } finally {
                    buf.release();
                }
            }
        }
    }
}
