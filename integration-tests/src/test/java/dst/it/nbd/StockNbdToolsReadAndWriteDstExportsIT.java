package dst.it.nbd;

import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dst.it.nbd.StockNbdTools.jsonValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dst-server's NBD listener as {@code nbdinfo} and {@code qemu-io} see it: the handshake (fixed newstyle, structured
 * replies, base:allocation), each export's size and flags, the export list, the allocation map after writes and a
 * trim, and pattern writes that land in the server's backing file byte for byte.
 */
class StockNbdToolsReadAndWriteDstExportsIT {
    private static final long MiB = 1 << 20;

    @TempDir
    Path tmp;
    private ServerProcess server;
    private Path disk;
    private Path ro;

    @BeforeEach
    void server() throws Exception {
        StockNbdTools.assumeInstalled("nbdinfo", "qemu-io");
        disk = tmp.resolve("disk.img");
        ro = tmp.resolve("ro.img");
        Host.run("truncate", "-s", "64M", disk.toString());
        Host.run("dd", "if=/dev/urandom", "of=" + ro, "bs=1M", "count=8", "status=none");
        server = ServerProcess.builder("nbd-tools").nbd().jvmArg("-Dio.netty.leakDetection.level=paranoid")
                .export("disk=" + disk).export("ro=" + ro + ",ro").export("scratch=mem:32M").start();
    }

    @Test
    void nbdinfoReportsTheHandshakeSizeAndFlagsOfEachExport() throws Exception {
        String json = StockNbdTools.run("nbdinfo", "--json", server.nbdUri("disk"));
        assertEquals("\"newstyle-fixed\"", "\"" + jsonValue(json, "protocol") + "\"", json);
        assertEquals("true", jsonValue(json, "structured"), "structured replies not negotiated:\n" + json);
        assertEquals("false", jsonValue(json, "TLS"), json);
        assertEquals("disk", jsonValue(json, "export-name"), json);
        assertEquals(String.valueOf(64 * MiB), jsonValue(json, "export-size"), json);
        assertTrue(json.contains("\"base:allocation\""), "base:allocation meta context not offered:\n" + json);
        for (String flag : List.of("can_flush", "can_fua", "can_trim", "can_zero", "can_multi_conn", "can_cache")) {
            assertEquals("true", jsonValue(json, flag), flag + " on a writable file export:\n" + json);
        }
        assertEquals("false", jsonValue(json, "is_read_only"), json);

        String roJson = StockNbdTools.run("nbdinfo", "--json", server.nbdUri("ro"));
        assertEquals("true", jsonValue(roJson, "is_read_only"), "read-only export without NBD_FLAG_READ_ONLY:\n" + roJson);
        assertEquals(String.valueOf(8 * MiB), jsonValue(roJson, "export-size"), roJson);

        assertEquals(String.valueOf(32 * MiB), StockNbdTools.run("nbdinfo", "--size", server.nbdUri("scratch")).trim());
        // nbdinfo --can / --is answer with the exit code: 0 yes, 2 no.
        assertEquals(0, StockNbdTools.exec(60, "nbdinfo", "--can", "multi-conn", server.nbdUri("scratch")).exitCode());
        assertEquals(0, StockNbdTools.exec(60, "nbdinfo", "--is", "read-only", server.nbdUri("ro")).exitCode());
        assertEquals(2, StockNbdTools.exec(60, "nbdinfo", "--is", "read-only", server.nbdUri("disk")).exitCode());
    }

    @Test
    void nbdinfoListNamesEveryExportWithItsSize() throws Exception {
        String json = StockNbdTools.run("nbdinfo", "--list", "--json", server.nbdUri(""));
        String[] perExport = json.split("\"export-name\": ");
        assertEquals(4, perExport.length, "expected 3 exports listed:\n" + json);
        for (String[] e : List.of(new String[]{"disk", String.valueOf(64 * MiB)}, new String[]{"ro", String.valueOf(8 * MiB)},
                new String[]{"scratch", String.valueOf(32 * MiB)})) {
            String section = Arrays.stream(perExport).filter(s -> s.startsWith("\"" + e[0] + "\"")).findFirst()
                    .orElseThrow(() -> new AssertionError("export " + e[0] + " not listed:\n" + json));
            assertEquals(e[1], jsonValue(section, "export-size"), "size of " + e[0] + ":\n" + json);
        }
    }

    @Test
    void unknownExportIsRefusedByNameAndTheServerKeepsServing() throws Exception {
        Host.Result r = StockNbdTools.exec(60, "nbdinfo", server.nbdUri("no-such-export"));
        assertNotEquals(0, r.exitCode(), "nbdinfo of an unknown export succeeded:\n" + r.output());
        assertTrue(r.output().contains("no-such-export") || r.output().toLowerCase().contains("unknown")
                || r.output().toLowerCase().contains("not found") || r.output().toLowerCase().contains("no such"),
                "the refusal does not say what was wrong:\n" + r.output());
        assertEquals(String.valueOf(64 * MiB), StockNbdTools.run("nbdinfo", "--size", server.nbdUri("disk")).trim());
    }

    @Test
    void qemuIoPatternWritesReadBackAndLandInTheBackingFile() throws Exception {
        String uri = server.nbdUri("disk");
        String out = StockNbdTools.run("qemu-io", "-f", "raw",
                "-c", "write -P 0xab 1M 2M", "-c", "write -P 0x5c 5M 4k", "-c", "write -P 0x17 7M 1536",
                "-c", "read -P 0xab 1M 2M", "-c", "read -P 0x5c 5M 4k", "-c", "read -P 0x17 7M 1536", "-c", "flush", uri);
        assertFalse(out.contains("Pattern verification failed"), out);
        // A wrong pattern must be noticed, or the reads above proved nothing.
        Host.Result wrong = StockNbdTools.exec(60, "qemu-io", "-f", "raw", "-c", "read -P 0xcd 1M 4k", uri);
        assertTrue(wrong.output().contains("Pattern verification failed"), wrong.output());

        assertFileHolds(disk, MiB, 2 * MiB, (byte) 0xab);
        assertFileHolds(disk, 5 * MiB, 4096, (byte) 0x5c);
        assertFileHolds(disk, 7 * MiB, 1536, (byte) 0x17);
        assertFileHolds(disk, 3 * MiB, MiB, (byte) 0);
    }

    @Test
    void nbdinfoMapShowsWrittenDataAndTrimmedRangesAsZero() throws Exception {
        String uri = server.nbdUri("disk");
        StockNbdTools.run("qemu-io", "-f", "raw", "-c", "write -P 0xab 1M 3M", "-c", "discard 2M 1M",
                "-c", "write -z 3M 512k", "-c", "flush", uri);
        List<StockNbdTools.Extent> map = StockNbdTools.extents(StockNbdTools.run("nbdinfo", "--map", "--json", uri));
        assertFalse(map.isEmpty(), "no extents in nbdinfo --map");
        assertEquals(0, map.get(0).offset());
        assertEquals(64 * MiB, map.get(map.size() - 1).end(), "the map does not cover the export: " + map);
        for (StockNbdTools.Extent e : StockNbdTools.overlapping(map, MiB, MiB)) {
            assertFalse(e.zero() || e.hole(), "written range 1M-2M reported as hole/zero: " + e + " in " + map);
        }
        for (StockNbdTools.Extent e : StockNbdTools.overlapping(map, 2 * MiB, MiB)) {
            assertTrue(e.zero(), "trimmed range 2M-3M not reported as zero: " + e + " in " + map);
        }
        for (StockNbdTools.Extent e : StockNbdTools.overlapping(map, 3 * MiB + 512 * 1024, 512 * 1024)) {
            assertFalse(e.zero(), "written range 3.5M-4M reported as zero: " + e + " in " + map);
        }
        for (StockNbdTools.Extent e : StockNbdTools.overlapping(map, 16 * MiB, 48 * MiB)) {
            assertTrue(e.zero(), "never written range of a sparse file not reported as zero: " + e + " in " + map);
        }
        assertFileHolds(disk, MiB, MiB, (byte) 0xab);
        assertFileHolds(disk, 2 * MiB, 1536 * 1024, (byte) 0);
        assertFileHolds(disk, 3 * MiB + 512 * 1024, 512 * 1024, (byte) 0xab);
    }

    static void assertFileHolds(Path file, long offset, long length, byte value) throws Exception {
        byte[] expected = new byte[(int) length];
        Arrays.fill(expected, value);
        byte[] actual = new byte[(int) length];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(offset);
            f.readFully(actual);
        }
        assertArrayEquals(expected, actual, file + " at " + offset + "+" + length + " does not hold 0x" + Integer.toHexString(value & 0xff));
    }

    @AfterEach
    void stop() {
        if (server == null) return;
        server.close();
        assertFalse(server.logText().contains("LEAK:"), "the server leaked buffers, see " + server.logFile());
    }
}
