package dst.it.nbd;

import dst.client.core.ClientConfig;
import dst.client.core.Extent;
import dst.client.core.NbdUri;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.Io;
import dst.it.harness.ServerProcess;
import dst.protocol.DstException;
import dst.protocol.Errno;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dst-client's NBD handshake against real servers. dst-server's NBD port offers extended headers (libnbd 1.14
 * here does not): the client takes them, and reads, writes, block status and flush work over 32-byte headers;
 * dst-server's --max-request 64K is the NBD maximum block size, so 1 MiB requests must be split to succeed (an
 * extended payload above it closes the connection). nbdkit with the blocksize-policy filter (minimum 4096,
 * maximum 64K, error policy: anything outside is EINVAL) gets 1 MiB requests split and an unaligned request refused
 * by the client, with a message that names the server's minimum.
 */
class NbdTargetNegotiatesHeadersAndBlockSizesIT {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void extendedHeadersWithTheServersMaximumOnDstServer() throws Exception {
        Path image = tmp.resolve("disk.img");
        try (ServerProcess server = ServerProcess.builder("nbd-ext").nbd().arg("--max-request", "64K")
                .jvmArg("-Dio.netty.leakDetection.level=paranoid").export("disk=" + image + ",size=64M").start();
             RemoteDisk disk = RemoteDisk.connect(config(server.nbdUri("disk")))) {
            assertTrue(disk.offered().contains("extended headers"), disk.offered());
            assertTrue(disk.offered().contains("base:allocation"), disk.offered());
            assertTrue(disk.offered().contains("max 65536"), disk.offered());
            assertEquals(64 << 10, disk.info().maxRequest(), "requests within the server's maximum block size");

            byte[] data = Blocks.content(7, 1, MIB);
            long at = 5L * MIB;
            Io.write(disk, at, data);
            disk.flush().get(20, TimeUnit.SECONDS);
            assertArrayEquals(data, Io.read(disk, at, MIB));
            try (FileChannel f = FileChannel.open(image, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(MIB);
                f.read(b, at);
                assertArrayEquals(data, b.array(), "the server's file");
            }

            List<Extent> extents = disk.extents(0, disk.info().size()).get(20, TimeUnit.SECONDS);
            assertEquals(0, extents.get(0).offset());
            assertTrue(extents.stream().anyMatch(e -> !e.zero() && e.offset() <= at && e.end() >= at + MIB), "data extent over the write: " + extents);
            assertTrue(extents.stream().anyMatch(e -> e.zero() && e.end() <= at), "the hole before it: " + extents);
            assertEquals(0, disk.stats().reconnects.sum(), "no request may have broken the connection");
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void nbdkitBlockSizePolicyIsHonoured() throws Exception {
        try (StockNbdServer nbdkit = StockNbdServer.nbdkit(tmp, "--filter=blocksize-policy", "memory", "16M", "blocksize-minimum=4096",
                "blocksize-preferred=65536", "blocksize-maximum=65536", "blocksize-error-policy=error");
             RemoteDisk disk = RemoteDisk.connect(config(nbdkit.uri()))) {
            assertTrue(disk.offered().contains("min 4096 preferred 65536 max 65536"), disk.offered());
            assertFalse(disk.offered().contains("extended headers"), "nbdkit 1.32 has no extended headers: " + disk.offered());
            assertEquals(4096, disk.info().blockSize());
            assertEquals(64 << 10, disk.info().maxRequest());

            byte[] data = Blocks.content(3, 1, MIB);
            Io.write(disk, 3L * MIB, data);
            assertArrayEquals(data, Io.read(disk, 3L * MIB, MIB), "1 MiB in 64K pieces, each within the policy");

            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> disk.write(512, Unpooled.wrappedBuffer(new byte[512]), false).get(10, TimeUnit.SECONDS));
            assertEquals(Errno.EINVAL, DstException.errnoOf(e));
            assertTrue(e.getCause().getMessage().contains("aligned to 4096"), e.getCause().getMessage());
            assertEquals(0, disk.stats().errors.sum(), "refused by the client: the server never saw it");
        }
    }

    private static ClientConfig config(String uri) {
        return NbdUri.parse(uri).toConfig().ioTimeout(Duration.ofSeconds(20)).build();
    }
}
