package dst.it.fuse;

import dst.client.core.ClientConfig;
import dst.client.net.RemoteDisk;
import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.RawConnection;
import dst.it.harness.ServerProcess;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.Opcode;
import dst.protocol.Request;
import dst.protocol.Tlv;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One rule ({@code ExportInfo.refusal}) decides every bad request, whoever sees it first: the same request
 * gets the same errno from the raw protocol (the server's check), the client library (its local check), the
 * FUSE file (the frontend's check) and, for the write at the end, from the loop device too (the kernel bounds
 * block devices itself and agrees). Writes and zeroing past the end are ENOSPC, a trim past the end is EINVAL,
 * a write to a read-only export is EROFS (on the wire EPERM, NBD's only read-only error: {@link Errno#onWire}).
 * The ublk half of this runs in the qemu guest: {@code UblkDeviceIT#writeAtTheEndIsEnospc}.
 */
class SameBadRequestGetsTheSameErrnoOnEveryPathIT {
    private static final long SIZE = 16L << 20;
    private static final int BLOCK = 4096;
    private static Path tmp;
    private static ServerProcess server;
    private static ClientCli client;
    private static Path rwFile;
    private static Path rwDevice;
    private static Path roFile;

    @BeforeAll
    static void attach() throws Exception {
        Host.assumeRig("fallocate", "losetup");
        tmp = Files.createTempDirectory("dst-errno");
        server = ServerProcess.start("errno", "rw=mem:16M", "ro=mem:16M,ro");
        client = new ClientCli(tmp.resolve("run"));
        // shared: the raw and library clients of each test write to the export next to this device
        rwDevice = client.attach("127.0.0.1:" + server.port() + "/rw", "--name", "errno-rw", "--shared");
        rwFile = fuseFile("errno-rw");
        client.attach("127.0.0.1:" + server.port() + "/ro", "--name", "errno-ro");
        roFile = fuseFile("errno-ro");
    }

    private static Path fuseFile(String name) throws Exception {
        return Path.of(client.run("status", name).lines().filter(l -> l.startsWith("fuse file:")).findFirst().orElseThrow()
                .substring("fuse file:".length()).trim());
    }

    @Test
    void writeAtTheEndIsEnospc() throws Exception {
        assertEquals(Errno.ENOSPC, raw("rw", new Request(Opcode.WRITE, 0, 1, SIZE, BLOCK, Unpooled.wrappedBuffer(new byte[BLOCK]))));
        assertEquals(Errno.ENOSPC, library("rw", d -> d.write(SIZE, Unpooled.wrappedBuffer(new byte[BLOCK]), false)));
        assertEquals(Errno.ENOSPC, shell("dd", "if=/dev/zero", "of=" + rwFile, "bs=4096", "count=1", "seek=" + SIZE / BLOCK,
                "conv=notrunc", "oflag=direct"));
        assertEquals(Errno.ENOSPC, shell("dd", "if=/dev/zero", "of=" + rwDevice, "bs=4096", "count=1", "seek=" + SIZE / BLOCK,
                "conv=notrunc", "oflag=direct"));
    }

    @Test
    void writeCrossingTheEndIsEnospc() throws Exception {
        long offset = SIZE - BLOCK / 2;
        assertEquals(Errno.ENOSPC, raw("rw", new Request(Opcode.WRITE, 0, 1, offset, BLOCK, Unpooled.wrappedBuffer(new byte[BLOCK]))));
        assertEquals(Errno.ENOSPC, library("rw", d -> d.write(offset, Unpooled.wrappedBuffer(new byte[BLOCK]), false)));
        assertEquals(Errno.ENOSPC, shell("dd", "if=/dev/zero", "of=" + rwFile, "bs=" + BLOCK / 2, "count=2", "seek=" + (offset / (BLOCK / 2)),
                "conv=notrunc"));
    }

    @Test
    void zeroingPastTheEndIsEnospc() throws Exception {
        assertEquals(Errno.ENOSPC, raw("rw", new Request(Opcode.WRITE_ZEROES, 0, 1, SIZE, BLOCK)));
        assertEquals(Errno.ENOSPC, library("rw", d -> d.writeZeroes(SIZE, BLOCK)));
        assertEquals(Errno.ENOSPC, shell("fallocate", "--zero-range", "--keep-size", "-o", String.valueOf(SIZE), "-l", String.valueOf(BLOCK),
                rwFile.toString()));
    }

    @Test
    void trimPastTheEndIsEinval() throws Exception {
        assertEquals(Errno.EINVAL, raw("rw", new Request(Opcode.TRIM, 0, 1, SIZE, BLOCK)));
        assertEquals(Errno.EINVAL, library("rw", d -> d.trim(SIZE, BLOCK)));
        assertEquals(Errno.EINVAL, shell("fallocate", "--punch-hole", "-o", String.valueOf(SIZE - BLOCK), "-l", String.valueOf(2 * BLOCK),
                rwFile.toString()));
    }

    @Test
    void writeToAReadOnlyExportIsErofs() throws Exception {
        assertEquals(Errno.onWire(Errno.EROFS), raw("ro", new Request(Opcode.WRITE, 0, 1, 0, BLOCK, Unpooled.wrappedBuffer(new byte[BLOCK]))));
        assertEquals(Errno.EROFS, library("ro", d -> d.write(0, Unpooled.wrappedBuffer(new byte[BLOCK]), false)));
        assertEquals(Errno.EROFS, shell("dd", "if=/dev/zero", "of=" + roFile, "bs=4096", "count=1", "conv=notrunc"));
    }

    /** The server's answer to a request sent as raw frames. */
    private static int raw(String export, Request r) throws Exception {
        try (RawConnection c = RawConnection.open(server.port(), export)) {
            return c.status(r);
        }
    }

    /** The client library's refusal (it must refuse without asking: the request never fits). */
    private static int library(String export, Function<RemoteDisk, CompletableFuture<?>> request) throws Exception {
        try (RemoteDisk disk = RemoteDisk.connect(ClientConfig.builder("127.0.0.1", server.port(), export)
                .attach(Tlv.AttachFlags.SHARED).build())) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> request.apply(disk).get());
            return DstException.errnoOf(e);
        }
    }

    /** The errno a command line tool reports, from the strerror text it prints. */
    private static int shell(String... cmd) throws Exception {
        Host.Result r = Host.exec(cmd);
        assertNotEquals(0, r.exitCode(), String.join(" ", cmd) + " succeeded: " + r.output());
        String out = r.output();
        int errno = out.contains("No space left on device") ? Errno.ENOSPC
                : out.contains("Invalid argument") ? Errno.EINVAL
                : out.contains("Read-only file system") ? Errno.EROFS
                : out.contains("Operation not permitted") ? Errno.EPERM : -1;
        assertTrue(errno > 0, String.join(" ", cmd) + ": no errno recognised in: " + out);
        return errno;
    }

    @AfterAll
    static void detach() throws Exception {
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
