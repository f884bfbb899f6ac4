package dst.it.nbd;

import dst.it.fuse.FileTree;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Linux kernel's own NBD client on a dst export: {@code nbd-client HOST PORT /dev/nbdN -N EXPORT} (handshake in
 * nbd-client, then the socket handed to nbd.ko), mkfs.ext4, mount, files with known hashes, umount,
 * {@code nbd-client -d}; the server's backing file then passes {@code e2fsck -fn}, and a second attach reads the
 * same bytes and files back. Needs nbd.ko, which this host kernel lacks: {@code UblkInGuestIT} runs it in the qemu
 * guest (Debian's 6.12 kernel, nbd.ko in its initramfs) with a 64 MiB export, small because everything there is
 * emulated.
 */
class KernelNbdClientCarriesExt4OnDstExportIT {
    private static final long TREE_BYTES = 12L << 20;

    @TempDir
    Path tmp;
    private ServerProcess server;
    private Path mnt;
    private String device;

    @Test
    void ext4OnNbdDeviceLandsInTheExportAndReadsBackAfterReattach() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "nbd devices need root");
        if (!Files.exists(Path.of("/dev/nbd0")) && Host.onPath("modprobe")) Host.exec("modprobe", "nbd"); // a host kernel with it as a module
        assumeTrue(Files.exists(Path.of("/dev/nbd0")), "no nbd.ko in this kernel (/dev/nbd0 missing): "
                + "UblkInGuestIT runs this test in the qemu guest, whose kernel has it");
        StockNbdTools.assumeInstalled("nbd-client");
        for (String tool : new String[]{"mkfs.ext4", "e2fsck", "blockdev", "mount"}) assumeTrue(Host.onPath(tool), "needs " + tool);

        Path image = tmp.resolve("disk.img");
        Host.run("truncate", "-s", "64M", image.toString());
        // The emulated guest runs Java several times slower: a generous idle timeout.
        server = ServerProcess.builder("kernel-nbd").nbd().arg("--idle-timeout", "300").export("disk=" + image).start();
        mnt = Files.createDirectories(tmp.resolve("mnt"));
        device = freeNbdDevice();

        attach();
        assertEquals(String.valueOf(64L << 20), Host.run("blockdev", "--getsize64", device), "size of " + device);
        Host.run("mkfs.ext4", "-q", "-F", device);
        Host.run("mount", device, mnt.toString());
        FileTree tree = FileTree.write(mnt, TREE_BYTES, 64);
        Host.run("sync");
        tree.verify(mnt);
        Host.run("umount", mnt.toString());
        detach();

        Host.run("e2fsck", "-fn", image.toString());
        String imageHash = Host.sha256(image);

        attach();
        String deviceHash = Host.run("sh", "-c", "dd if=" + device + " bs=1M iflag=direct status=none | sha256sum").split(" ")[0];
        assertEquals(imageHash, deviceHash, device + " reads other bytes than the server's backing file holds");
        Host.run("mount", "-o", "ro", device, mnt.toString());
        tree.verify(mnt);
        Host.run("umount", mnt.toString());
        detach();
    }

    private void attach() throws Exception {
        // -t: the kernel's request timeout; the first requests in an emulated guest are slow (cold JIT).
        StockNbdTools.run("nbd-client", "127.0.0.1", String.valueOf(server.nbdPort()), device, "-N", "disk", "-t", "120");
        for (int i = 0; i < 300 && !connected(device); i++) Thread.sleep(100);
        assertTrue(connected(device), device + " not connected after nbd-client");
    }

    private void detach() throws Exception {
        StockNbdTools.run("nbd-client", "-d", device);
        for (int i = 0; i < 300 && connected(device); i++) Thread.sleep(100);
        assertFalse(connected(device), device + " still connected after nbd-client -d");
    }

    /** An nbd device has a pid file in sysfs while a connection serves it. */
    private static boolean connected(String device) {
        return Files.exists(Path.of("/sys/block", Path.of(device).getFileName().toString(), "pid"));
    }

    private static String freeNbdDevice() throws IOException {
        for (int i = 0; i < 16; i++) {
            String d = "/dev/nbd" + i;
            if (Files.exists(Path.of(d)) && !connected(d)) return d;
        }
        throw new IllegalStateException("every /dev/nbdN is in use");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (device != null && connected(device)) StockNbdTools.exec(60, "nbd-client", "-d", device);
        if (server != null) server.close();
    }
}
