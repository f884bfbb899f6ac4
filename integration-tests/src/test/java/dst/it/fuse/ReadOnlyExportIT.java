package dst.it.fuse;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;

import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A read-only export becomes a read-only device: reads work, every way of writing fails, nothing changes. */
class ReadOnlyExportIT {
    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;

    @Test
    void readOnlyExportIsAReadOnlyDevice() throws Exception {
        Host.assumeRig("blockdev");
        Path image = tmp.resolve("ro.img");
        Host.run("dd", "if=/dev/urandom", "of=" + image, "bs=1M", "count=16", "status=none");
        String hash = sha256(image);
        server = ServerProcess.start("fuse-ro", "ro=" + image + ",ro");
        client = new ClientCli(tmp.resolve("run"));
        Path device = client.attach("127.0.0.1:" + server.port() + "/ro");

        assertEquals("1", Host.run("blockdev", "--getro", device.toString()), device + " is not read-only");
        String read = Host.run("sh", "-c", "dd if=" + device + " bs=1M iflag=direct status=none | sha256sum");
        assertEquals(hash, read.split(" ")[0], "device content differs from the export");

        Host.Result ddWrite = Host.exec("dd", "if=/dev/zero", "of=" + device, "bs=4k", "count=1", "oflag=direct", "conv=notrunc");
        assertNotEquals(0, ddWrite.exitCode(), "writing the read-only device succeeded");
        assertTrue(ddWrite.output().contains("Read-only file system") || ddWrite.output().contains("Operation not permitted"),
                "expected EROFS/EPERM, got: " + ddWrite.output());
        Path file = Path.of(client.run("status", "ro").lines().filter(l -> l.startsWith("fuse file:")).findFirst().orElseThrow()
                .substring("fuse file:".length()).trim());
        Host.Result fuseWrite = Host.exec("dd", "if=/dev/zero", "of=" + file, "bs=4k", "count=1", "conv=notrunc");
        assertNotEquals(0, fuseWrite.exitCode(), "writing the FUSE file of a read-only export succeeded");
        assertTrue(fuseWrite.output().contains("Read-only file system") || fuseWrite.output().contains("Operation not permitted"),
                "expected EROFS/EPERM, got: " + fuseWrite.output());
        Host.Result discard = Host.exec("blkdiscard", device.toString());
        assertNotEquals(0, discard.exitCode(), "discarding the read-only device succeeded");

        client.run("detach", "ro");
        assertEquals(hash, sha256(image), "the read-only export changed");
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Files.readAllBytes(file));
        return HexFormat.of().formatHex(sha.digest());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
