package dst.it.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dst-client list --json}, {@code status --json}, {@code info --json} and {@code status --watch} on a real
 * attached device (FUSE file, no loop): the JSON parses (Jackson), carries the documented field names, and its
 * numbers are the truth (exactly the bytes dd wrote); the watch prints one line per second whose rates and latency
 * show a write load while one runs.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClientJsonAndWatchIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;

    @Test
    void jsonOutputsParseAndWatchShowsTheLoad() throws Exception {
        server = ServerProcess.start("client-json", "d=mem:64M");
        client = new ClientCli(tmp.resolve("run"));
        String target = "127.0.0.1:" + server.port() + "/d";
        Path device = client.attach(target, "--no-loop", "--name", "ops-json");

        JsonNode info = JSON.readTree(client.run("info", "--json", target));
        assertEquals("d", info.path("export").asText(), info.toString());
        assertEquals("dst", info.path("protocol").asText());
        assertEquals(64L << 20, info.path("size").asLong());
        assertEquals(512, info.path("blockSize").asInt());
        assertEquals(false, info.path("readOnly").asBoolean());
        // the attached device is this export's exclusive writer (the default): info names it as the holder
        assertTrue(info.path("heldBy").asText().contains("attached exclusively"), info.toString());
        assertTrue(info.path("features").toString().contains("\"crc32c\""), info.toString());
        assertTrue(info.path("session").asText().matches("[0-9a-f]{16}"), info.toString());

        Host.run("dd", "if=/dev/urandom", "of=" + device, "bs=1M", "count=8", "conv=fsync,notrunc", "status=none");
        JsonNode status = awaitBytesWritten(8L << 20);
        assertEquals("ops-json", status.path("name").asText());
        assertEquals(device.toString(), status.path("device").asText());
        assertEquals("fuse", status.path("frontend").asText());
        assertEquals("connected", status.path("state").asText());
        assertEquals(true, status.path("running").asBoolean());
        assertEquals(64L << 20, status.path("size").asLong());
        assertTrue(status.path("counters").path("flushes").asLong() >= 1, "conv=fsync flushed: " + status);
        assertTrue(status.path("counters").path("writeNanos").asLong() > 0, status.toString());

        JsonNode list = JSON.readTree(client.run("list", "--json"));
        assertTrue(list.isArray() && list.size() == 1, list.toString());
        assertEquals("ops-json", list.get(0).path("name").asText());
        assertEquals(8L << 20, list.get(0).path("counters").path("bytesWritten").asLong(), list.toString());

        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try {
                while (writing.get()) {
                    Host.run("dd", "if=/dev/zero", "of=" + device, "bs=1M", "count=16", "conv=fsync,notrunc", "status=none");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "load");
        writer.start();
        List<String> lines;
        try {
            lines = client.run("status", "ops-json", "--watch", "--count", "4", "--json").lines().toList();
        } finally {
            writing.set(false);
            writer.join(TimeUnit.MINUTES.toMillis(1));
        }
        assertEquals(4, lines.size(), "one line per refresh: " + lines);
        long previousTime = 0;
        long previousBytes = 0;
        boolean sawLoad = false;
        for (String line : lines) {
            JsonNode s = JSON.readTree(line);
            assertTrue(s.path("time").asLong() > previousTime, "each line is a newer record: " + lines);
            assertTrue(s.path("bytesWritten").asLong() >= previousBytes, "totals never go back: " + lines);
            previousTime = s.path("time").asLong();
            previousBytes = s.path("bytesWritten").asLong();
            if (s.path("writeBytesPerSecond").asDouble() > 0) {
                sawLoad = true;
                assertTrue(s.path("writesPerSecond").asDouble() > 0, line);
                assertTrue(s.path("writeLatencyMicros").asDouble() > 0, "a second with writes has their latency: " + line);
            }
        }
        assertTrue(sawLoad, "a write load ran through every refresh, so some line shows it: " + lines);

        List<String> table = client.run("status", "ops-json", "--watch", "--count", "2").lines().toList();
        assertEquals(3, table.size(), "a header and two lines: " + table);
        assertTrue(table.get(0).contains("WRITE") && table.get(0).contains("W-LAT"), table.get(0));
        Host.Result bad = client.exec("status", "ops-json", "--count", "2");
        assertEquals(2, bad.exitCode(), "--count without --watch is a usage error: " + bad.output());
    }

    /** The device's status once its record (rewritten each second) shows {@code bytes} written. */
    private JsonNode awaitBytesWritten(long bytes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            JsonNode s = JSON.readTree(client.run("status", "ops-json", "--json"));
            long written = s.path("counters").path("bytesWritten").asLong();
            if (written == bytes) return s;
            assertTrue(written < bytes, "more written than dd wrote: " + s);
            assertTrue(System.nanoTime() < deadline, "the record never showed " + bytes + " bytes written: " + s);
            Thread.sleep(200);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
