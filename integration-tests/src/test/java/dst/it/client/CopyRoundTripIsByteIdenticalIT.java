package dst.it.client;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dst-client copy} both ways with the real programs: a 512 MiB random file goes to a file
 * export and comes back byte-identical (sha-256 of source, server file and download compared), and
 * the CLI reports its throughput. Also what a script relies on: exit codes and messages for an
 * unknown export, an unreachable server and a read-only export.
 */
class CopyRoundTripIsByteIdenticalIT {
    private static final long SIZE = 512L << 20;

    @TempDir
    Path dir;

    private ClientCli cli;

    @org.junit.jupiter.api.BeforeEach
    void cli() {
        cli = new ClientCli(dir.resolve("run"));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void halfAGigabyteGoesUpAndComesBackIdentical() throws Exception {
        Path source = dir.resolve("source.bin");
        String sourceHash = writeRandom(source, SIZE);
        Path image = dir.resolve("export.img");
        try (ServerProcess server = ServerProcess.start("copy", "disk=" + image + ",size=" + (SIZE + (64 << 20)))) {
            String target = "dst://127.0.0.1:" + server.port() + "/disk";
            Host.Result up = cli.exec("copy", "--no-progress", source.toString(), target);
            assertEquals(0, up.exitCode(), up.output());
            assertTrue(up.output().contains("copied 512 MiB"), up.output());

            Path back = dir.resolve("back.bin");
            Host.Result down = cli.exec("copy", "--no-progress", "--length", String.valueOf(SIZE), target, back.toString());
            assertEquals(0, down.exitCode(), down.output());
            System.out.printf("copy 512 MiB: upload: %s; download: %s%n", up.output().trim(), down.output().trim());

            assertEquals(sourceHash, sha256(back, SIZE), "downloaded copy differs from the source");
            server.terminate();
            assertEquals(sourceHash, sha256(image, SIZE), "the server's file differs from the source");
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void failuresHaveExitCodesAndMessagesScriptsCanUse() throws Exception {
        Path small = dir.resolve("small.bin");
        writeRandom(small, 1 << 20);
        try (ServerProcess server = ServerProcess.start("copy-errors", "disk=mem:16M", "ro=mem:16M,ro")) {
            String base = "127.0.0.1:" + server.port();
            Host.Result missing = cli.exec("info", base + "/nope");
            assertEquals(4, missing.exitCode(), missing.output());
            assertTrue(missing.output().contains("no export named 'nope'") && missing.output().contains("disk"), missing.output());

            Host.Result readOnly = cli.exec("copy", "--no-progress", small.toString(), "dst://" + base + "/ro");
            assertEquals(4, readOnly.exitCode(), readOnly.output()); // refused: the export is read-only
            assertTrue(readOnly.output().contains("read-only"), readOnly.output());

            Host.Result info = cli.exec("info", base + "/disk");
            assertEquals(0, info.exitCode(), info.output());
            assertTrue(info.output().contains("16777216 bytes") && info.output().contains("crc32c"), info.output());
        }
        Host.Result unreachable = cli.exec("info", "--connect-timeout", "2", "127.0.0.1:1/disk");
        assertEquals(3, unreachable.exitCode(), unreachable.output());
        assertTrue(unreachable.output().contains("cannot connect"), unreachable.output());

        Host.Result usage = cli.exec("copy", "a", "b");
        assertEquals(2, usage.exitCode(), usage.output());
    }

    private static String writeRandom(Path file, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(512);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
                sha.update(chunk);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sha256(Path file, long length) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) break;
                sha.update(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
