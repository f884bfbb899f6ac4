package dst.it.nbd;

import dst.it.harness.Cli;
import dst.it.harness.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dst-client copy nbd+unix://...} from nbdkit's file plugin on a 256 MiB sparse file with three data
 * extents (one at the very end): the copy is byte-identical, and nbdkit's own log ({@code --filter=log}) shows
 * that the client asked for block status and then read exactly the data extents, not one byte of the holes.
 * The copy keeps the holes (its allocated size is the data's, not the file's).
 */
class CopySkipsHolesOfNbdSourceIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 256 * MIB;
    private static final long[][] DATA = {{3 * MIB, 2 * MIB}, {100 * MIB + 4096, 5 * 4096}, {SIZE - MIB, MIB}};
    private static final Pattern READ = Pattern.compile("Read id=\\d+ offset=0x([0-9a-f]+) count=0x([0-9a-f]+)");

    @TempDir
    Path tmp;
    private StockNbdServer nbdkit;

    @Test
    void holesAreNeitherReadNorWritten() throws Exception {
        Path source = tmp.resolve("sparse.img");
        Host.run("truncate", "-s", Long.toString(SIZE), source.toString());
        long dataBytes = 0;
        for (long[] d : DATA) {
            Host.run("dd", "if=/dev/urandom", "of=" + source, "bs=4096", "count=" + d[1] / 4096, "seek=" + d[0] / 4096,
                    "conv=notrunc", "status=none");
            dataBytes += d[1];
        }
        Path log = tmp.resolve("nbdkit.log");
        nbdkit = StockNbdServer.nbdkit(tmp, "--filter=log", "file", source.toString(), "logfile=" + log);

        Path copy = tmp.resolve("copy.img");
        Host.Result r = Cli.client(Map.of(), "copy", "--no-progress", nbdkit.uri(), copy.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(Host.sha256(source), Host.sha256(copy), "the copy differs from the sparse source");
        assertEquals(SIZE, Files.size(copy));

        String serverLog = Files.readString(log);
        assertTrue(serverLog.contains("Extents"), "the client never asked nbdkit for block status:\n" + serverLog);
        long read = 0;
        Matcher m = READ.matcher(serverLog);
        while (m.find()) {
            long offset = Long.parseLong(m.group(1), 16);
            long count = Long.parseLong(m.group(2), 16);
            assertTrue(insideData(offset, count), "nbdkit read " + offset + "+" + count + ", which is not a data extent");
            read += count;
        }
        assertEquals(dataBytes, read, "bytes nbdkit read (its log) should be exactly the data extents");
        assertTrue(Host.allocatedBytes(copy) < dataBytes + 4 * MIB, "the holes were written: " + Host.allocatedBytes(copy) + " bytes allocated");
    }

    /** Within one data extent, to filesystem block granularity (nbdkit's file plugin reports holes per 4 KiB). */
    private static boolean insideData(long offset, long count) {
        for (long[] d : DATA) {
            if (offset >= d[0] && offset + count <= d[0] + d[1]) return true;
        }
        return false;
    }

    @AfterEach
    void stopNbdkit() throws InterruptedException {
        if (nbdkit != null) nbdkit.close();
    }
}
