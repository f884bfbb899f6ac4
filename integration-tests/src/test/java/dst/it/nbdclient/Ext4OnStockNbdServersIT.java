package dst.it.nbdclient;

import dst.it.fuse.FileTree;
import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.nbd.StockNbdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dst-client against the NBD servers people run, the user's whole path: {@code dst-client attach nbd://...}
 * (FUSE + loop, the background daemon), mkfs.ext4, mount, a 128 MiB tree of files with known hashes, sync, umount,
 * detach. Then the server's own image, without dst: e2fsck finds it clean and, mounted read-only on its own loop
 * device, it holds every file with the right hash. For qemu-nbd's qcow2 image, {@code qemu-img check} must find no
 * error and no leak, and the filesystem is checked in a raw conversion made by qemu-img (qemu's own qcow2 driver,
 * a reader independent of the server and of dst-client; a read-only export would be read through dst-client again).
 */
class Ext4OnStockNbdServersIT {
    private static final long DISK_BYTES = 512L << 20;
    private static final long TREE_BYTES = 128L << 20;

    @TempDir
    Path tmp;
    private ClientCli client;
    private StockNbdServer server;
    private Path mnt;

    @ParameterizedTest(name = "{0}")
    @EnumSource(StockNbdServer.Kind.class)
    void ext4TreeWrittenThroughDstClientIsInTheServersImage(StockNbdServer.Kind kind) throws Exception {
        Host.assumeRig("mkfs.ext4", "e2fsck");
        StockNbdServer.assumeInstalled(kind);
        server = StockNbdServer.start(kind, tmp, DISK_BYTES);
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));

        Path device = client.attach(server.uri(), "--name", "disk");
        assertTrue(device.toString().startsWith("/dev/loop"), "attach printed " + device);
        String fuseFile = client.run("status", "disk").lines().filter(l -> l.startsWith("fuse file:")).findFirst().orElseThrow()
                .substring("fuse file:".length()).trim();
        assertEquals(fuseFile, Host.run("losetup", "--noheadings", "--output", "BACK-FILE", device.toString()), "status names the loop's file");
        assertEquals(DISK_BYTES, Long.parseLong(Host.run("blockdev", "--getsize64", device.toString())), "device size");
        Host.run("mkfs.ext4", "-q", device.toString());
        Host.run("mount", device.toString(), mnt.toString());
        FileTree tree = FileTree.write(mnt, TREE_BYTES, kind.ordinal());
        Host.run("sync");
        tree.verify(mnt);
        Host.run("umount", mnt.toString());
        client.run("detach", device.toString());
        assertFalse(Host.loopDevicesUnder(client.runDir()).iterator().hasNext(), "loop device left after detach");

        Path raw = server.rawImage(tmp); // stops the server
        if (kind.qcow2()) server.qcow2Check().ok("qemu-img check " + server.image());
        Host.run("e2fsck", "-fn", raw.toString());
        tree.verifyInImage(raw, mnt);
        assertTrue(tree.bytes() >= TREE_BYTES, "tree smaller than 128 MiB: " + tree.bytes());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
