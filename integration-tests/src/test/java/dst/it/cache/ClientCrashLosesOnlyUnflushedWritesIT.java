package dst.it.cache;

import dst.it.harness.Blocks;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dst.it.harness.Blocks.isGeneration;
import static dst.it.cache.CacheTestSupport.onServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client process using the write-back cache is SIGKILLed after a flush and a further round of unflushed
 * writes (which the slow server has mostly not received yet). Everything the flush covered is on the server:
 * each block holds the flushed generation or the newer unflushed one, never older data or garbage.
 */
class ClientCrashLosesOnlyUnflushedWritesIT {
    private static final int BLOCKS = 256;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void flushedWritesSurviveAClientKill() throws Exception {
        Path image = dir.resolve("disk.img");
        try (ServerProcess server = ServerProcess.start("cache-crash", "d=" + image + ",size=4M,delay-write=20")) {
            String cp = Repo.clientJar() + java.io.File.pathSeparator + Repo.root().resolve("integration-tests/target/test-classes");
            Process child = new ProcessBuilder(List.of(Repo.java(), "-cp", cp, CachedWriterChild.class.getName(),
                    Integer.toString(server.port()), Integer.toString(BLOCKS)))
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder seen = new StringBuilder();
                String line;
                while ((line = out.readLine()) != null && !line.equals("WRITTEN")) seen.append(line).append('\n');
                assertEquals("WRITTEN", line, "child output:\n" + seen);
                assertTrue(seen.toString().contains("FLUSHED"), "child flushed first:\n" + seen);
                child.destroyForcibly();
                assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            } finally {
                child.destroyForcibly();
            }
            int newer = 0;
            for (int b = 0; b < BLOCKS; b++) {
                byte[] actual = onServer(image, b);
                boolean flushed = isGeneration(actual, b, 1);
                boolean unflushed = isGeneration(actual, b, 2);
                assertTrue(flushed || unflushed, "block " + b + " lost its flushed write (or is corrupt)");
                if (unflushed) newer++;
            }
            System.out.println("after the kill, " + newer + " of " + BLOCKS + " blocks had the unflushed newer write");
        }
    }
}
