package dst.it.fuse;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;

import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole path a user takes, with real kernel devices: {@code dst-client attach} (FUSE + loop), mkfs,
 * mount, a tree of 200+ MiB of files with known hashes, sync, umount, detach. Then the server's backing
 * file on its own (its own read-only loop device) must pass the filesystem's checker and hold every file
 * with the right hash: nothing was lost or reordered on the way, and nothing lived only in a cache.
 */
class FilesystemOnFuseLoopIT {
    private static final long TREE_BYTES = 210L << 20;

    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;
    private Path mnt;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ext4", "xfs"})
    void filesWrittenThroughTheDeviceAreInTheServersFile(String fs) throws Exception {
        Host.assumeRig("mkfs." + fs, fs.equals("ext4") ? "e2fsck" : "xfs_repair");
        Path image = tmp.resolve("disk.img");
        server = ServerProcess.start("fuse-" + fs, "disk=" + image + ",size=1G");
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));

        // ext4 through the write-back cache, xfs write-through (the default): both must end up in the server's file.
        Path device = "ext4".equals(fs)
                ? client.attach("127.0.0.1:" + server.port() + "/disk", "--cache", "64M")
                : client.attach("127.0.0.1:" + server.port() + "/disk");
        assertTrue(device.toString().startsWith("/dev/loop"), "attach printed " + device);
        Host.run("mkfs." + fs, "-q", device.toString());
        Host.run("mount", device.toString(), mnt.toString());
        FileTree tree = FileTree.write(mnt, TREE_BYTES, fs.hashCode());
        Host.run("sync");
        tree.verify(mnt); // through the device (mostly page cache)
        Host.run("umount", mnt.toString());
        client.run("detach", device.toString());
        assertTrue(client.run("list").lines().skip(1).findAny().isEmpty(), "still listed after detach");
        assertFalse(Host.loopDevicesUnder(client.runDir()).iterator().hasNext(), "loop device left after detach");

        // The server's file on its own: consistent, and holding every file.
        if (fs.equals("ext4")) {
            Host.run("e2fsck", "-fn", image.toString());
        } else {
            Host.run("xfs_repair", "-n", "-f", image.toString());
        }
        tree.verifyInImage(image, mnt);
        assertTrue(tree.bytes() >= (200L << 20), "tree smaller than 200 MiB: " + tree.bytes());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
