package dst.it.nbd;

import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 256 MiB of random data with zeroed stretches (which nbdcopy sends as WRITE_ZEROES instead of data) copied with
 * {@code nbdcopy} into a dst file export and back out: the server's backing file and the downloaded copy have the
 * source's SHA-256. dst offers multi-conn, so nbdcopy spreads each copy over several NBD connections at once.
 */
class NbdcopyRoundTripIsByteIdenticalIT {
    private static final Pattern CONNECTIONS = Pattern.compile("nbdcopy: connections=(\\d+)");
    private static final int SIZE_MIB = 256;

    @TempDir
    Path tmp;
    private ServerProcess server;

    @Test
    void uploadAndDownloadOverSeveralConnectionsAreByteIdentical() throws Exception {
        StockNbdTools.assumeInstalled("nbdcopy", "nbdinfo");
        Path source = tmp.resolve("source.bin");
        Host.run("dd", "if=/dev/urandom", "of=" + source, "bs=1M", "count=" + SIZE_MIB, "status=none");
        for (int at : new int[]{0, 37, 100, 255}) { // zeroed MiB runs, the first and last included
            Host.run("dd", "if=/dev/zero", "of=" + source, "bs=1M", "count=1", "seek=" + at, "conv=notrunc", "status=none");
        }
        String sourceHash = Host.sha256(source);
        Path image = tmp.resolve("export.img");
        // Old garbage in the export, so that a zero run not written (or a skipped block) shows in the hash.
        Host.run("dd", "if=/dev/urandom", "of=" + image, "bs=1M", "count=" + SIZE_MIB, "status=none");
        server = ServerProcess.builder("nbdcopy").nbd().jvmArg("-Dio.netty.leakDetection.level=paranoid")
                .export("disk=" + image).start();
        String uri = server.nbdUri("disk");
        assertEquals(0, StockNbdTools.exec(60, "nbdinfo", "--can", "multi-conn", uri).exitCode(), "dst does not offer multi-conn");

        String up = StockNbdTools.run("nbdcopy", "--verbose", "--connections=4", "--threads=4", "--flush", source.toString(), uri);
        assertTrue(connections(up) >= 2, "nbdcopy used one connection for the upload:\n" + summary(up));
        assertEquals(sourceHash, Host.sha256(image), "the server's backing file differs from the uploaded source");

        Path back = tmp.resolve("back.bin");
        String down = StockNbdTools.run("nbdcopy", "--verbose", "--connections=4", "--threads=4", uri, back.toString());
        assertTrue(connections(down) >= 2, "nbdcopy used one connection for the download:\n" + summary(down));
        assertEquals(sourceHash, Host.sha256(back), "the downloaded copy differs from the source");
    }

    private static int connections(String verbose) {
        Matcher m = CONNECTIONS.matcher(verbose);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** nbdcopy's own lines of its verbose output (libnbd's debug lines left out). */
    private static String summary(String verbose) {
        return String.join("\n", verbose.lines().filter(l -> l.startsWith("nbdcopy:")).toList());
    }

    @AfterEach
    void stop() {
        if (server == null) return;
        server.close();
        assertFalse(server.logText().contains("LEAK:"), "the server leaked buffers, see " + server.logFile());
    }
}
