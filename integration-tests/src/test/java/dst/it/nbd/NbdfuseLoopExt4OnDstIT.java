package dst.it.nbd;

import dst.it.fuse.FileTree;
import dst.it.harness.Host;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A filesystem on a dst export through libnbd's FUSE client: {@code nbdfuse} (several NBD connections when the
 * server offers multi-conn) + loop(direct-io) + ext4, a tree of files with known hashes, umount, and then the
 * server's backing file on its own passes {@code e2fsck -fn} and holds every file.
 */
class NbdfuseLoopExt4OnDstIT {
    private static final long TREE_BYTES = 64L << 20;

    @TempDir
    Path tmp;
    private ServerProcess server;
    private Process nbdfuse;
    private Path fuseDir;
    private Path mnt;
    private String loop;

    @Test
    void ext4WrittenThroughNbdfuseIsConsistentInTheServersFile() throws Exception {
        Host.assumeRig("mkfs.ext4", "e2fsck");
        StockNbdTools.assumeInstalled("nbdfuse");
        Path image = tmp.resolve("disk.img");
        Host.run("truncate", "-s", "256M", image.toString());
        server = ServerProcess.builder("nbdfuse").nbd().jvmArg("-Dio.netty.leakDetection.level=paranoid")
                .export("disk=" + image).start();
        fuseDir = Files.createDirectories(tmp.resolve("fuse"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path log = Repo.targetDir("server-logs").resolve("nbdfuse-" + ProcessHandle.current().pid() + ".log");
        ProcessBuilder pb = new ProcessBuilder("nbdfuse", fuseDir.resolve("disk").toString(), server.nbdUri("disk"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        nbdfuse = pb.start();
        Path file = fuseDir.resolve("disk");
        for (int i = 0; i < 300 && !Files.exists(file); i++) {
            assertTrue(nbdfuse.isAlive(), "nbdfuse exited with " + (nbdfuse.isAlive() ? "" : nbdfuse.exitValue()) + ", see " + log);
            Thread.sleep(100);
        }
        assertTrue(Files.exists(file), "nbdfuse did not show " + file + " within 30 s, see " + log);

        loop = Host.run("losetup", "--find", "--show", "--direct-io=on", file.toString());
        Host.run("mkfs.ext4", "-q", loop);
        Host.run("mount", loop, mnt.toString());
        FileTree tree = FileTree.write(mnt, TREE_BYTES, 13);
        Host.run("sync");
        tree.verify(mnt);
        Host.run("umount", mnt.toString());
        Host.run("losetup", "-d", loop);
        loop = null;
        Host.run("umount", fuseDir.toString());
        assertTrue(nbdfuse.waitFor(30, TimeUnit.SECONDS), "nbdfuse did not exit after its unmount");

        // The server's file on its own: consistent, and holding every file.
        Host.run("e2fsck", "-fn", image.toString());
        loop = Host.run("losetup", "--find", "--show", "--read-only", image.toString());
        Host.run("mount", "-o", "ro", loop, mnt.toString());
        tree.verify(mnt);
        assertTrue(tree.files() > 100, "tree too small: " + tree.files() + " files");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (loop != null) Host.exec("losetup", "-d", loop);
        if (fuseDir != null && Host.isMountPoint(fuseDir)) Host.exec("umount", "-l", fuseDir.toString());
        if (nbdfuse != null && nbdfuse.isAlive()) nbdfuse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (server == null) return;
        server.close();
        assertFalse(server.logText().contains("LEAK:"), "the server leaked buffers, see " + server.logFile());
    }
}
