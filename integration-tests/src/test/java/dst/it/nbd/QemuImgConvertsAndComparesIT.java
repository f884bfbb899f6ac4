package dst.it.nbd;

import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * qemu's NBD client (qemu-img, qemu-io) against dst exports: {@code info} reads the size, {@code convert} writes an
 * image into an export and reads one out of it as qcow2, {@code compare} finds them identical and finds the one
 * block that qemu-io changed afterwards; everything also over dst's Unix-socket NBD listener.
 */
class QemuImgConvertsAndComparesIT {
    @TempDir
    Path tmp;
    private ServerProcess server;

    @Test
    void convertIntoAnExportAndBackAsQcow2IsIdenticalAndCompareFindsALaterChange() throws Exception {
        StockNbdTools.assumeInstalled("qemu-img", "qemu-io");
        Path image = tmp.resolve("export.img");
        Host.run("truncate", "-s", "64M", image.toString());
        server = ServerProcess.builder("qemu-img").nbd().jvmArg("-Dio.netty.leakDetection.level=paranoid")
                .export("disk=" + image).start();
        convertCompareAndChange(server.nbdUri("disk"), image);
    }

    @Test
    void theSameOverTheUnixSocketListener() throws Exception {
        StockNbdTools.assumeInstalled("qemu-img", "qemu-io");
        Path image = tmp.resolve("export.img");
        Host.run("truncate", "-s", "64M", image.toString());
        server = ServerProcess.builder("qemu-img-unix").nbdUnix(tmp.resolve("nbd.sock")).jvmArg("-Dio.netty.leakDetection.level=paranoid")
                .export("disk=" + image).start();
        convertCompareAndChange(server.nbdUri("disk"), image);
    }

    private void convertCompareAndChange(String uri, Path image) throws Exception {
        String info = StockNbdTools.run("qemu-img", "info", "--output=json", uri);
        assertEquals(String.valueOf(64L << 20), StockNbdTools.jsonValue(info, "virtual-size"), info);
        assertEquals("raw", StockNbdTools.jsonValue(info, "format"), info);

        Path source = tmp.resolve("source.img");
        Host.run("dd", "if=/dev/urandom", "of=" + source, "bs=1M", "count=64", "status=none");
        Host.run("dd", "if=/dev/zero", "of=" + source, "bs=1M", "count=3", "seek=20", "conv=notrunc", "status=none");
        StockNbdTools.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", source.toString(), uri);
        assertEquals(Host.sha256(source), Host.sha256(image), "qemu-img convert into the export: backing file differs from the source");
        assertTrue(StockNbdTools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", source.toString(), uri).contains("Images are identical"));

        Path qcow2 = tmp.resolve("copy.qcow2");
        StockNbdTools.run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", uri, qcow2.toString());
        assertTrue(StockNbdTools.run("qemu-img", "compare", "-f", "qcow2", "-F", "raw", qcow2.toString(), source.toString())
                .contains("Images are identical"), "the qcow2 read out of the export differs from the source");

        StockNbdTools.run("qemu-io", "-f", "raw", "-c", "write -P 0x5a 12345k 4k", "-c", "read -P 0x5a 12345k 4k", uri);
        Host.Result compare = StockNbdTools.exec(120, "qemu-img", "compare", "-f", "raw", "-F", "raw", source.toString(), uri);
        assertEquals(1, compare.exitCode(), "compare after a change:\n" + compare.output());
        assertTrue(compare.output().contains("Content mismatch at offset " + 12345 * 1024), compare.output());
        StockNbdTools.run("qemu-io", "-f", "raw", "-c", "read -P 0x5a 12345k 4k", image.toString());
    }

    @AfterEach
    void stop() {
        if (server == null) return;
        server.close();
        assertFalse(server.logText().contains("LEAK:"), "the server leaked buffers, see " + server.logFile());
    }
}
