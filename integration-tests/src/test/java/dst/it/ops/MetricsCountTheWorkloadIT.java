package dst.it.ops;

import dst.client.core.ClientConfig;
import dst.client.core.Credentials;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.Cli;
import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.Prometheus;
import dst.it.harness.ServerProcess;
import dst.protocol.auth.ClientKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --metrics} on dst-server and on an attached device's daemon, scraped before and after a known workload:
 * 64 MiB in 1 MiB writes and a flush. The server's counters for that export and identity move by exactly 64 writes,
 * 64 MiB and one flush, its latency histogram by 64 samples, a wrong key by one auth failure; the device daemon's
 * by 64 MiB written (dd through its FUSE file) with at least one flush. Every scrape is valid Prometheus text.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MetricsCountTheWorkloadIT {
    private static final Pattern METRICS_URL = Pattern.compile("metrics: (http://\\S+/metrics)");
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;

    @Test
    void countersMoveByTheWorkload() throws Exception {
        Path clients = tmp.resolve("clients");
        Path aliceKey = tmp.resolve("alice.key");
        Cli.addClient(clients, "alice", aliceKey);
        server = ServerProcess.builder("metrics").arg("--clients", clients.toString(), "--metrics", "127.0.0.1:0")
                .export("d=mem:80M").export("f=mem:80M").start();
        String serverUrl = metricsUrl(server);

        Prometheus before = Prometheus.scrape(serverUrl);
        try (RemoteDisk alice = RemoteDisk.connect(ClientConfig.builder("127.0.0.1", server.port(), "d")
                .connectTimeout(Duration.ofSeconds(30)).credentials(new Credentials("alice", ClientKey.read(aliceKey))).build())) {
            for (int i = 0; i < 64; i++) alice.write((long) i * MIB, Blocks.buffer(i, 1, MIB), false).get(60, TimeUnit.SECONDS);
            alice.flush().get(60, TimeUnit.SECONDS);
            Prometheus after = Prometheus.scrape(serverUrl);
            String[] d = {"export", "d", "identity", "alice"};
            assertEquals(64, delta(before, after, "dst_server_requests_total", d, "op", "write"), after.text());
            assertEquals(64.0 * MIB, delta(before, after, "dst_server_request_bytes_total", d, "op", "write"));
            assertEquals(1, delta(before, after, "dst_server_requests_total", d, "op", "flush"));
            assertEquals(0, delta(before, after, "dst_server_requests_total", d, "op", "read"));
            assertEquals(0, delta(before, after, "dst_server_request_errors_total", d, "op", "write"));
            assertEquals(64, delta(before, after, "dst_server_request_duration_seconds_count", d, "op", "write"));
            assertEquals(64, after.value("dst_server_request_duration_seconds_bucket", "export", "d", "identity", "alice", "op", "write",
                    "le", "+Inf"), "the +Inf bucket holds every sample");
            assertTrue(after.value("dst_server_request_duration_seconds_sum", "export", "d", "identity", "alice", "op", "write") > 0);
            assertEquals(1, after.value("dst_server_connected_clients", d), after.text());
            assertEquals(0, after.value("dst_server_in_flight_requests", d), "every request was answered");
            assertEquals(80.0 * MIB, after.value("dst_server_export_size_bytes", "export", "d"));
        }

        Path wrongKey = tmp.resolve("wrong.key");
        ClientKey.write(wrongKey, ClientKey.generate());
        Host.Result refused = Cli.client(Map.of(), "info", "--connect-timeout", "30", "--identity", "alice", "--key-file",
                wrongKey.toString(), "127.0.0.1:" + server.port() + "/d");
        assertEquals(4, refused.exitCode(), refused.output());
        assertEquals(1, delta(before, Prometheus.scrape(serverUrl), "dst_server_auth_failures_total", new String[0], "reason", "key"));

        client = new ClientCli(tmp.resolve("run"));
        Path device = client.attach("127.0.0.1:" + server.port() + "/f", "--no-loop", "--name", "ops-metrics", "--identity", "alice",
                "--key-file", aliceKey.toString(), "--metrics", "127.0.0.1:0");
        String deviceUrl = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(client.run("status", "ops-metrics", "--json")).path("metrics").asText();
        assertTrue(deviceUrl.startsWith("http://127.0.0.1:"), "status names the daemon's metrics URL: " + deviceUrl);
        Prometheus dBefore = Prometheus.scrape(deviceUrl);
        Prometheus sBefore = Prometheus.scrape(serverUrl);
        Host.run("dd", "if=/dev/urandom", "of=" + device, "bs=1M", "count=64", "conv=fsync,notrunc", "status=none");
        Prometheus dAfter = Prometheus.scrape(deviceUrl);
        Prometheus sAfter = Prometheus.scrape(serverUrl);
        String[] dev = {"device", "ops-metrics", "export", "f"};
        assertEquals(64.0 * MIB, delta(dBefore, dAfter, "dst_client_request_bytes_total", dev, "op", "write"), dAfter.text());
        long writes = (long) delta(dBefore, dAfter, "dst_client_requests_total", dev, "op", "write");
        assertTrue(writes >= 64, "at least one request per MiB (the FUSE path may split, never merge beyond 1 MiB): " + writes);
        assertEquals(writes, delta(dBefore, dAfter, "dst_client_request_duration_seconds_count", dev, "op", "write"));
        assertTrue(delta(dBefore, dAfter, "dst_client_requests_total", dev, "op", "flush") >= 1, "conv=fsync flushed");
        assertEquals(1, dAfter.value("dst_client_connected", dev));
        assertEquals(0, dAfter.value("dst_client_in_flight_requests", dev));
        assertEquals(0, dAfter.value("dst_client_reconnects_total", dev));
        assertEquals(0, dAfter.value("dst_client_request_errors_total", dev));
        String[] f = {"export", "f", "identity", "alice"};
        assertEquals(64.0 * MIB, delta(sBefore, sAfter, "dst_server_request_bytes_total", f, "op", "write"),
                "the server saw the same bytes from the device");
        assertEquals(writes, delta(sBefore, sAfter, "dst_server_requests_total", f, "op", "write"), "and the same requests");
        assertTrue(Files.exists(device));
    }

    /** The URL the server prints under its 'listening on' line (which the harness waits for: this one may follow). */
    private static String metricsUrl(ServerProcess server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Matcher m = METRICS_URL.matcher(server.logText());
            if (m.find()) return m.group(1);
            assertTrue(System.nanoTime() < deadline, "the server prints its metrics URL: " + server.logText());
            Thread.sleep(20);
        }
    }

    private static double delta(Prometheus a, Prometheus b, String name, String[] labels, String... more) {
        String[] all = java.util.Arrays.copyOf(labels, labels.length + more.length);
        System.arraycopy(more, 0, all, labels.length, more.length);
        return b.value(name, all) - a.value(name, all);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
