package dst.it;

import dst.it.harness.RawConnection;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import dst.protocol.Opcode;
import dst.protocol.Request;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FLUSH and FUA against a file export of the real server: acknowledged data is in the file after a
 * kill -9 and after a restart, and (where strace is available) FLUSH and FUA really reach fdatasync
 * while a plain write does not.
 */
class FlushIsDurableIT {
    private static final int SIZE = 8 << 20;
    private ServerProcess server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private ServerProcess startOn(Path file) throws IOException {
        Files.deleteIfExists(file);
        server = ServerProcess.start("flush-durable", "disk=" + file + ",size=" + SIZE);
        return server;
    }

    @Test
    void flushedAndFuaWritesAreInTheFileAfterKill9AndRestart() throws IOException {
        Path file = Repo.targetDir("it-data").resolve("flush-durable.img");
        startOn(file);
        Random random = new Random(11);
        Map<Long, byte[]> written = new LinkedHashMap<>();
        try (RawConnection c = RawConnection.open(server.port(), "disk")) {
            for (int i = 0; i < 64; i++) {
                byte[] block = new byte[4096 * (1 + random.nextInt(16))];
                random.nextBytes(block);
                long offset = 4096L * random.nextInt(SIZE / 4096 - 16);
                c.write(offset, block);
                written.keySet().removeIf(o -> o < offset + block.length && offset < o + written.get(o).length);
                written.put(offset, block);
            }
            c.flush();
            byte[] fua = new byte[8192];
            random.nextBytes(fua);
            long fuaOffset = SIZE - fua.length;
            assertEquals(0, c.status(new Request(Opcode.WRITE, Opcode.FLAG_FUA, c.nextTransactionId(), fuaOffset, fua.length,
                    Unpooled.wrappedBuffer(fua))));
            written.put(fuaOffset, fua);
        }
        server.kill9();

        byte[] onDisk = Files.readAllBytes(file);
        assertEquals(SIZE, onDisk.length);
        for (Map.Entry<Long, byte[]> w : written.entrySet()) {
            int from = (int) (long) w.getKey();
            assertArrayEquals(w.getValue(), Arrays.copyOfRange(onDisk, from, from + w.getValue().length),
                    "acknowledged data at " + from + " is not in the file after kill -9");
        }

        server.restart();
        try (RawConnection c = RawConnection.open(server.port(), "disk")) {
            for (Map.Entry<Long, byte[]> w : written.entrySet()) {
                assertArrayEquals(w.getValue(), c.read(w.getKey(), w.getValue().length), "after restart at " + w.getKey());
            }
        }
    }

    @Test
    void flushAndFuaReachFdatasyncAndPlainWritesDoNot() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")),
                "needs strace (apt-get install strace) to watch the server's system calls");
        Path file = Repo.targetDir("it-data").resolve("flush-syscalls.img");
        startOn(file);
        Path trace = Repo.targetDir("it-data").resolve("flush-syscalls.strace");
        Files.deleteIfExists(trace);
        try (RawConnection c = RawConnection.open(server.port(), "disk")) {
            c.write(0, new byte[4096]); // warm up: I/O thread exists before strace attaches
            Process strace = new ProcessBuilder("strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o", trace.toString(),
                    "-p", Long.toString(server.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                // strace is attached once a FLUSH shows up in its output (attaching to a JVM takes a moment).
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                do {
                    Assumptions.assumeTrue(strace.isAlive(), "strace could not attach (ptrace not permitted here?)");
                    c.flush();
                } while (!awaitSyncCalls(trace, 1, Duration.ofMillis(500)) && System.nanoTime() < deadline);
                assertTrue(syncCalls(trace) >= 1, "strace saw no fdatasync for FLUSH within 30 s");
                Thread.sleep(300); // let late lines of the attach phase arrive

                byte[] data = new byte[65536];
                new Random(3).nextBytes(data);
                int before = syncCalls(trace);
                for (int i = 0; i < 16; i++) c.write(65536L * i, data);
                Thread.sleep(300);
                assertEquals(before, syncCalls(trace), "a plain write called fdatasync:\n" + Files.readString(trace));

                c.flush();
                assertTrue(awaitSyncCalls(trace, before + 1, Duration.ofSeconds(3)), "FLUSH was acknowledged without fdatasync");

                before = syncCalls(trace);
                assertEquals(0, c.status(new Request(Opcode.WRITE, Opcode.FLAG_FUA, c.nextTransactionId(), 0, data.length,
                        Unpooled.wrappedBuffer(data))));
                assertTrue(awaitSyncCalls(trace, before + 1, Duration.ofSeconds(3)), "a FUA write was acknowledged without fdatasync");
            } finally {
                strace.destroy();
                strace.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static int syncCalls(Path trace) throws IOException {
        if (!Files.exists(trace)) return 0;
        return (int) Files.readAllLines(trace).stream()
                .filter(l -> l.contains("fdatasync(") || l.contains("fsync("))
                .filter(l -> !l.contains("resumed>"))
                .count();
    }

    /** strace writes its line when the call returns, possibly a moment after our reply arrived. */
    private static boolean awaitSyncCalls(Path trace, int atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (syncCalls(trace) >= atLeast) return true;
            Thread.sleep(20);
        }
        return false;
    }
}
