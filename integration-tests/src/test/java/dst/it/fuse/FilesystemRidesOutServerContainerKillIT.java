package dst.it.fuse;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;

import dst.it.docker.DockerRig;
import dst.it.docker.ServerContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user's whole path against a server in a container: {@code dst-client attach} on this machine
 * (FUSE + loop) to the container's published port, ext4 on the device, files written and synced;
 * then the server container is killed (SIGKILL) while more files are being written and synced, and
 * started again. The writer only waits; afterwards both trees verify through the mounted filesystem,
 * the filesystem checks clean, and the server's backing file, read on the host, holds every file.
 */
class FilesystemRidesOutServerContainerKillIT {
    private static final long TREE_BYTES = 24L << 20;

    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerContainer server;
    private Path mnt;

    @Test
    void filesSurviveDockerKillAndStartOfTheServer() throws Exception {
        Host.assumeRig("mkfs.ext4", "e2fsck");
        DockerRig.assumeAvailable();
        Path data = ServerContainer.freshDataDir("fuse-kill");
        server = ServerContainer.start(data, "disk0", 256L << 20);
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));

        Path device = client.attach("127.0.0.1:" + server.hostPort() + "/disk0", "--io-timeout", "180");
        Host.run("mkfs.ext4", "-q", device.toString());
        Host.run("mount", device.toString(), mnt.toString());
        FileTree before = FileTree.write(mnt.resolve("before"), TREE_BYTES, 1);
        Host.run("sync");

        long killed = System.nanoTime();
        server.kill();
        CompletableFuture<FileTree> during = CompletableFuture.supplyAsync(() -> {
            try {
                FileTree t = FileTree.write(mnt.resolve("during"), TREE_BYTES, 2);
                Host.run("sync");
                return t;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(2000);
        long restarting = System.nanoTime();
        server.start();
        long listening = System.nanoTime();
        FileTree afterKill = during.get(3, TimeUnit.MINUTES);
        long synced = System.nanoTime();
        System.out.printf("docker kill under ext4 on FUSE+loop: server down %d ms (restart took %d ms), writes and sync done %d ms after it listened again%n",
                ms(listening - killed), ms(listening - restarting), ms(synced - listening));

        before.verify(mnt.resolve("before"));
        afterKill.verify(mnt.resolve("during"));
        Host.run("umount", mnt.toString());
        Host.run("e2fsck", "-fn", device.toString());
        client.run("detach", device.toString());

        // The backing file on the host, on its own read-only loop device: every file is there.
        Path image = data.resolve("disk0.img");
        String loop = Host.run("losetup", "--find", "--show", "--read-only", image.toString());
        try {
            Host.run("mount", "-o", "ro", loop, mnt.toString());
            try {
                before.verify(mnt.resolve("before"));
                afterKill.verify(mnt.resolve("during"));
            } finally {
                Host.run("umount", mnt.toString());
            }
        } finally {
            Host.run("losetup", "-d", loop);
        }
        assertTrue(afterKill.bytes() >= TREE_BYTES - (1 << 20), "tree written during the outage is short: " + afterKill.bytes());
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
