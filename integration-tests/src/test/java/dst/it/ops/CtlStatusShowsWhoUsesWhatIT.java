package dst.it.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dst.client.core.ClientConfig;
import dst.client.core.Credentials;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.Cli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import dst.protocol.auth.ClientKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dst-server ctl status} against a real server process: two authenticated clients on two exports, and the
 * status (JSON parsed with Jackson, and the table) names each one's identity, address, export and exactly the bytes
 * it moved; the control socket is mode 0600; a request it does not know gets the one-line error reply with exit 2,
 * and a socket nobody answers on is exit 3.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CtlStatusShowsWhoUsesWhatIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void statusNamesEachClientWithTheBytesItMoved() throws Exception {
        Path clients = dir.resolve("clients");
        Path aliceKey = dir.resolve("alice.key");
        Path bobKey = dir.resolve("bob.key");
        Cli.addClient(clients, "alice", aliceKey);
        Cli.addClient(clients, "bob", bobKey);
        try (ServerProcess server = ServerProcess.builder("ctl-status").arg("--clients", clients.toString())
                .export("d=mem:16M").export("e=mem:1M,ro").start();
             RemoteDisk alice = RemoteDisk.connect(config(server, "d", "alice", aliceKey));
             RemoteDisk bob = RemoteDisk.connect(config(server, "e", "bob", bobKey))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.ctlSocket())),
                    "only the server's user may talk to the control socket");
            for (int i = 0; i < 32; i++) alice.write((long) i * CHUNK, Blocks.buffer(i, 1, CHUNK), false).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 16; i++) alice.read((long) i * CHUNK, CHUNK).get(30, TimeUnit.SECONDS).release();
            bob.read(0, 4096).get(30, TimeUnit.SECONDS).release();

            Host.Result r = server.ctl("status", "--json").ok("ctl status --json");
            JsonNode status = JSON.readTree(r.output());
            assertEquals(2, status.path("exports").size(), r.output());
            JsonNode d = status.path("exports").get(0);
            assertEquals("d", d.path("name").asText());
            assertEquals(16L << 20, d.path("size").asLong());
            assertEquals(false, d.path("readOnly").asBoolean());
            assertTrue(d.path("backend").asText().startsWith("mem:"), r.output());
            assertEquals(1, d.path("clients").asInt());
            assertEquals(true, status.path("exports").get(1).path("readOnly").asBoolean(), r.output());

            assertEquals(2, status.path("clients").size(), r.output());
            JsonNode a = status.path("clients").get(0); // sorted by export: d first
            assertEquals("alice", a.path("identity").asText(), r.output());
            assertEquals("d", a.path("export").asText());
            assertEquals("dst", a.path("protocol").asText());
            assertTrue(a.path("address").asText().startsWith("127.0.0.1:"), r.output());
            assertEquals(32L * CHUNK, a.path("bytesWritten").asLong(), "alice wrote 32 chunks: " + r.output());
            assertEquals(16L * CHUNK, a.path("bytesRead").asLong(), "alice read 16 chunks: " + r.output());
            assertEquals(48, a.path("requests").asLong(), r.output());
            assertEquals(0, a.path("inFlight").asInt(), "every request was answered: " + r.output());
            assertEquals(Long.toHexString(alice.info().sessionId()), a.path("session").asText(), r.output());
            JsonNode b = status.path("clients").get(1);
            assertEquals("bob", b.path("identity").asText());
            assertEquals("e", b.path("export").asText());
            assertEquals(4096, b.path("bytesRead").asLong());
            assertEquals(0, b.path("bytesWritten").asLong());

            String table = server.ctl("status").ok("ctl status").output();
            assertTrue(table.lines().anyMatch(l -> l.startsWith("alice") && l.contains(" d ") && l.contains("2.0 MiB")), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("bob") && l.contains(" e ")), table);

            JsonNode unknown = JSON.readTree(rawRequest(server.ctlSocket(), "{\"command\":\"no-such\"}"));
            assertEquals(false, unknown.path("ok").asBoolean(), unknown.toString());
            assertEquals(2, unknown.path("exit").asInt(), unknown.toString());
            assertTrue(unknown.path("error").asText().matches(".*knows: .*status.*"), unknown.toString());
            JsonNode garbage = JSON.readTree(rawRequest(server.ctlSocket(), "this is not json"));
            assertEquals(2, garbage.path("exit").asInt(), garbage.toString());
        }
        Host.Result gone = Cli.server("ctl", "status", "--ctl-socket", dir.resolve("nobody.sock").toString());
        assertEquals(3, gone.exitCode(), "no server on the socket is 'unreachable': " + gone.output());
        assertTrue(gone.output().contains("no control socket at"), gone.output());
    }

    private static ClientConfig config(ServerProcess server, String export, String identity, Path key) throws Exception {
        return ClientConfig.builder("127.0.0.1", server.port(), export).connectTimeout(Duration.ofSeconds(30))
                .credentials(new Credentials(identity, ClientKey.read(key))).build();
    }

    /** One request line straight onto the socket, as any tool could send it; returns the reply line. */
    private static String rawRequest(Path socket, String line) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (ch.read(in) > 0 && in.get(in.position() - 1) != '\n') {
                // until the reply's newline
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
        }
    }
}
