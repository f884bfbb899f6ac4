package dst.it.fuse;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;

import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discard and write-zeroes reach the server: the loop device turns them into fallocate on the FUSE file,
 * dst into TRIM and WRITE_ZEROES, the server into holes in its sparse file. Both must read back as zeros.
 */
class DiscardAndZeroingIT {
    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;
    private Path mnt;

    @Test
    void fstrimShrinksTheServersSparseFile() throws Exception {
        Host.assumeRig("mkfs.ext4", "fstrim");
        Path image = tmp.resolve("disk.img");
        server = ServerProcess.start("fuse-discard", "disk=" + image + ",size=512M");
        client = new ClientCli(tmp.resolve("run"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path device = client.attach("127.0.0.1:" + server.port() + "/disk");

        Host.run("mkfs.ext4", "-q", "-E", "nodiscard", device.toString());
        Host.run("mount", device.toString(), mnt.toString());
        Host.run("dd", "if=/dev/urandom", "of=" + mnt.resolve("data"), "bs=1M", "count=128", "conv=fsync", "status=none");
        long full = Host.allocatedBytes(image);
        assertTrue(full >= 128L << 20, "server file holds only " + full + " bytes after writing 128 MiB");

        Files.delete(mnt.resolve("data"));
        Host.run("sync");
        Host.run("fstrim", mnt.toString());
        long trimmed = Host.allocatedBytes(image);
        assertTrue(trimmed <= full - (120L << 20), "fstrim freed only " + (full - trimmed) + " bytes of " + full);
        Host.run("umount", mnt.toString());
        Host.run("e2fsck", "-fn", device.toString());
        client.run("detach", device.toString());
    }

    @Test
    void discardAndWriteZeroesReadBackAsZeros() throws Exception {
        Host.assumeRig("blkdiscard");
        server = ServerProcess.start("fuse-zero", "disk=mem:64M");
        client = new ClientCli(tmp.resolve("run"));
        Path device = client.attach("127.0.0.1:" + server.port() + "/disk");
        Host.run("dd", "if=/dev/urandom", "of=" + device, "bs=1M", "count=8", "oflag=direct", "status=none");
        byte[] before = read(device, 0, 8 << 20);

        Host.run("blkdiscard", "-z", "-o", Long.toString(1 << 20), "-l", Long.toString(1 << 20), device.toString()); // WRITE_ZEROES
        Host.run("blkdiscard", "-o", Long.toString(4 << 20), "-l", Long.toString(2 << 20), device.toString());        // DISCARD
        byte[] after = read(device, 0, 8 << 20);

        byte[] expected = before.clone();
        Arrays.fill(expected, 1 << 20, 2 << 20, (byte) 0);
        Arrays.fill(expected, 4 << 20, 6 << 20, (byte) 0);
        assertArrayEquals(expected, after, "zeroed/discarded ranges must read as zeros, the rest must be unchanged");
        client.run("detach", device.toString());
    }

    /** Reads through the block device with O_DIRECT, so the answer comes from the server, not a cache. */
    private static byte[] read(Path device, long offset, int length) throws Exception {
        Path copy = Files.createTempFile("dst-read", ".bin");
        try {
            Host.run("dd", "if=" + device, "of=" + copy, "bs=1M", "skip=" + (offset >> 20), "count=" + (length >> 20), "iflag=direct", "status=none");
            try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "r")) {
                byte[] b = new byte[length];
                f.readFully(b);
                return b;
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null && Host.isMountPoint(mnt)) Host.exec("umount", mnt.toString());
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
