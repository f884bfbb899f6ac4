package dst.it.ops;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Online resize end to end on real kernel devices: ext4 mounted on an attached FUSE+loop device, {@code dst-server ctl
 * resize} +1 GiB, the loop device grows by itself (SIZE_CHANGED -> FUSE attribute invalidation -> losetup -c),
 * {@code resize2fs} grows the mounted filesystem online, and a file larger than the whole old disk (so it must lie in
 * the new space) reads back with its hash through the device and, after detach, from the server's own file. Shrinking
 * while the client is attached is refused (exit 4); {@code status} shows the new size.
 * <p>{@code resize2fs} on a mounted ext4 (EXT4_IOC_RESIZE_FS) needs CAP_SYS_RESOURCE: where this process lacks it (the
 * host's sandbox) the filesystem is grown unmounted instead, and the online half is proven in the qemu guest, which runs
 * this class too ({@link dst.it.ublk.UblkInGuestIT}) with every capability. The device is FUSE+loop in both places: ublk
 * grows only through UPDATE_SIZE (Linux 6.16+), which the guest's kernel lacks.
 */
class OnlineResizeGrowsAMountedExt4IT {
    private static final long OLD = 128L << 20;
    private static final long NEW = OLD + (1L << 30);
    /** Larger than the old disk: it cannot fit anywhere but in the new space too. Small enough for the guest's tmpfs. */
    private static final int FILE_MIB = 160;

    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;
    private Path mnt;

    @Test
    void ctlResizeGrowsTheDeviceAndResize2fsGrowsTheMountedFilesystem() throws Exception {
        Host.assumeRig("mkfs.ext4", "resize2fs", "e2fsck", "blockdev");
        Path image = tmp.resolve("disk.img");
        server = ServerProcess.start("resize", "disk=" + image + ",size=" + OLD);
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path device = client.attach("127.0.0.1:" + server.port() + "/disk", "--frontend", "fuse");
        Host.run("mkfs.ext4", "-q", device.toString());
        Host.run("mount", device.toString(), mnt.toString());
        long blocksBefore = fsBytes();

        Host.Result shrink = server.ctl("resize", "disk", Long.toString(OLD / 2));
        assertEquals(4, shrink.exitCode(), "shrinking while attached: " + shrink.output());
        assertTrue(shrink.output().contains("refused while"), shrink.output());

        Host.Result grow = server.ctl("resize", "disk", Long.toString(NEW));
        assertEquals(0, grow.exitCode(), grow.output());
        assertTrue(grow.output().contains("1 connected client(s) told"), grow.output());
        assertEquals(NEW, Files.size(image), "the server's file was not extended");

        // the notification travels server -> client -> FUSE -> loop: bounded, not assumed instant (loaded 2-core rig)
        long deadline = System.nanoTime() + 30_000_000_000L;
        long size;
        while ((size = Long.parseLong(Host.run("blockdev", "--getsize64", device.toString()))) != NEW && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(NEW, size, device + " did not grow");

        if (canResizeMounted()) {
            Host.run("resize2fs", device.toString()); // online: the filesystem stays mounted
            assertTrue(Host.isMountPoint(mnt), "resize2fs unmounted " + mnt);
            System.out.println("RESIZE: ext4 grew online on " + device + " (" + OLD + " -> " + NEW + " bytes)");
        } else {
            // EXT4_IOC_RESIZE_FS needs CAP_SYS_RESOURCE, which some container rigs drop: grow it unmounted, still through dst
            System.err.println("no CAP_SYS_RESOURCE here: resize2fs runs on the unmounted (still attached) device instead of online");
            Host.run("umount", mnt.toString());
            Host.run("e2fsck", "-fy", device.toString()); // offline resize2fs insists on a fresh check
            Host.run("resize2fs", device.toString());
            Host.run("mount", device.toString(), mnt.toString());
        }
        long blocksAfter = fsBytes();
        assertTrue(blocksAfter > blocksBefore + (900L << 20), "filesystem did not grow: " + blocksBefore + " -> " + blocksAfter);

        Path file = mnt.resolve("big");
        Host.run("dd", "if=/dev/urandom", "of=" + file, "bs=1M", "count=" + FILE_MIB, "status=none");
        Host.run("sync");
        String hash = Host.sha256(file);
        Host.run("sh", "-c", "echo 3 > /proc/sys/vm/drop_caches");
        assertEquals(hash, Host.sha256(file), "file in the new space reads back differently through the device");

        String status = client.run("status", "disk");
        assertTrue(status.contains("size:        " + NEW + " bytes"), status);

        Host.run("umount", mnt.toString());
        client.run("detach", "disk");
        Host.run("e2fsck", "-fn", image.toString());
        String loop = Host.run("losetup", "--find", "--show", "--read-only", image.toString());
        try {
            Host.run("mount", "-o", "ro", loop, mnt.toString());
            try {
                assertEquals(hash, Host.sha256(file), "the server's file holds something else");
            } finally {
                Host.run("umount", mnt.toString());
            }
        } finally {
            Host.run("losetup", "-d", loop);
        }
    }

    /** Whether this process has CAP_SYS_RESOURCE (bit 24 of CapEff), which online ext4 resizing needs. */
    private static boolean canResizeMounted() throws Exception {
        String eff = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:")).findFirst()
                .orElseThrow().substring(7).trim();
        return (Long.parseUnsignedLong(eff, 16) & (1L << 24)) != 0;
    }

    private long fsBytes() throws Exception {
        return Long.parseLong(Host.run("df", "--output=size", "-B1", mnt.toString()).lines().skip(1).findFirst().orElseThrow().trim());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
