package dst.it.fuse;

import dst.it.harness.Host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tree of files with pseudo-random content and known SHA-256 hashes: a few large files (sequential
 * I/O) and many small ones in nested directories (metadata, journal, scattered blocks).
 */
public final class FileTree {
    private final Map<String, String> hashes = new LinkedHashMap<>();
    private long bytes;

    /** Writes about {@code totalBytes} under {@code root}: 3/4 in 8 MiB files, the rest in files of 1-64 KiB. */
    public static FileTree write(Path root, long totalBytes, long seed) throws IOException {
        FileTree t = new FileTree();
        SplittableRandom random = new SplittableRandom(seed);
        long big = totalBytes * 3 / 4;
        for (int i = 0; big > 0; i++) {
            int n = (int) Math.min(8 << 20, big);
            t.add(root, "big/file-" + i + ".bin", n, random);
            big -= n;
        }
        long small = totalBytes - t.bytes;
        for (int i = 0; small > 0; i++) {
            int n = (int) Math.min(1024 + random.nextInt(63 * 1024), small);
            t.add(root, "small/d" + (i % 16) + "/e" + (i % 5) + "/f-" + i + ".dat", n, random);
            small -= n;
        }
        return t;
    }

    private void add(Path root, String name, int size, SplittableRandom random) throws IOException {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        MessageDigest sha = sha256();
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int left = size; left > 0; ) {
                int n = Math.min(buf.length, left);
                for (int i = 0; i < n; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8 && i + k < n; k++) buf[i + k] = (byte) (v >>> (8 * k));
                }
                out.write(buf, 0, n);
                sha.update(buf, 0, n);
                left -= n;
            }
        }
        hashes.put(name, HexFormat.of().formatHex(sha.digest()));
        bytes += size;
    }

    public long bytes() {
        return bytes;
    }

    public int files() {
        return hashes.size();
    }

    /** Every file is there under {@code root} with its hash. */
    public void verify(Path root) throws IOException {
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            Path file = root.resolve(e.getKey());
            assertTrue(Files.isRegularFile(file), "missing " + file);
            MessageDigest sha = sha256();
            byte[] buf = new byte[1 << 20];
            try (var in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
            }
            assertEquals(e.getValue(), HexFormat.of().formatHex(sha.digest()), "content of " + file);
        }
    }

    /**
     * Every file is there, with its hash, in the filesystem of {@code image} (a server's backing file, a raw copy),
     * mounted read-only on its own read-only loop device at {@code mnt}: what reached the server, not a cache.
     */
    public void verifyInImage(Path image, Path mnt) throws IOException, InterruptedException {
        String loop = Host.run("losetup", "--find", "--show", "--read-only", image.toString());
        try {
            Host.run("mount", "-o", "ro", loop, mnt.toString());
            try {
                verify(mnt);
            } finally {
                Host.run("umount", mnt.toString());
            }
        } finally {
            Host.run("losetup", "-d", loop);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
