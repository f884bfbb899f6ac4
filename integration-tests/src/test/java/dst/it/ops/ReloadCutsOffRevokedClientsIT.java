package dst.it.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dst.client.core.ClientConfig;
import dst.client.core.Credentials;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.ByteBufs;
import dst.it.harness.Cli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import dst.protocol.auth.ClientKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dst-server ctl reload} and SIGHUP on a real server process with two attached (connected, working)
 * clients. Removing alice's key and reloading cuts her connection (logged, listed in the reply), her requests then
 * fail and she cannot log in again, while bob's connection is the same TCP connection as before and keeps working.
 * The access file's rules change without a restart too: by ctl reload (bob may now only read: cut, and granted
 * read-only on his next login) and by SIGHUP (bob no longer allowed: refused). A file that does not parse changes
 * nothing.
 */
// ~30 s on a quiet machine, 201 s measured under load average 21 on 2 cores (a dozen CLI JVM starts)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ReloadCutsOffRevokedClientsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Alice's requests fail this long after her key is revoked: her reconnects are refused until then. */
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void reloadDisconnectsRevokedIdentitiesAndLeavesTheOthersAlone() throws Exception {
        Path clients = dir.resolve("clients");
        Path access = dir.resolve("access");
        Path aliceKey = dir.resolve("alice.key");
        Path bobKey = dir.resolve("bob.key");
        Cli.addClient(clients, "alice", aliceKey);
        Cli.addClient(clients, "bob", bobKey);
        Files.writeString(access, "# who may use d\nd alice:rw+bob:rw\n");
        try (ServerProcess server = ServerProcess.builder("ctl-reload").arg("--clients", clients.toString(),
                "--access-file", access.toString()).export("d=mem:8M").start();
             RemoteDisk alice = RemoteDisk.connect(config(server, "alice", aliceKey));
             RemoteDisk bob = RemoteDisk.connect(config(server, "bob", bobKey))) {
            alice.write(0, Blocks.buffer(1, 1), false).get(30, TimeUnit.SECONDS);
            bob.write(4096, Blocks.buffer(2, 1), false).get(30, TimeUnit.SECONDS);
            String bobAddress = client(server, "bob").path("address").asText();

            Cli.server("client", "remove", "alice", "--clients", clients.toString()).ok("remove alice");
            Host.Result reload = server.ctl("reload", "--json").ok("ctl reload");
            JsonNode r = JSON.readTree(reload.output());
            assertEquals("[\"alice\"]", r.path("removed").toString(), reload.output());
            assertEquals(1, r.path("disconnected").size(), "only alice is cut: " + reload.output());
            assertEquals("alice", r.path("disconnected").get(0).path("identity").asText());
            assertTrue(r.path("disconnected").get(0).path("why").asText().contains("key was removed"), reload.output());
            assertTrue(server.logText().contains("reload: disconnecting alice"), server.logText());

            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> alice.write(8192, Blocks.buffer(3, 1), false).get(IO_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS),
                    "a revoked client's requests fail: it cannot get back in");
            assertTrue(failed.getCause().getMessage() != null, String.valueOf(failed.getCause()));
            alice.close(); // her reconnects, refused, would keep the address's login throttle busy
            Host.Result again = info(server, "alice", aliceKey);
            assertEquals(4, again.exitCode(), "alice cannot log in again: " + again.output());
            assertTrue(again.output().contains("EACCES"), again.output());
            assertTrue(server.logText().contains("authentication failed for identity 'alice'"), server.logText());

            bob.write(8192, Blocks.buffer(4, 1), false).get(30, TimeUnit.SECONDS);
            assertArrayEquals(Blocks.content(2, 1), ByteBufs.bytes(bob.read(4096, 4096).get(30, TimeUnit.SECONDS)));
            assertEquals(bobAddress, client(server, "bob").path("address").asText(), "bob kept his very connection");
            assertEquals(0, bob.stats().reconnects.sum(), "bob never reconnected");
            assertEquals(1, status(server).path("clients").size(), "alice is gone from the status");

            Files.writeString(access, "d bob:ro\n");
            JsonNode readOnly = JSON.readTree(server.ctl("reload", "--json").ok("reload to ro").output());
            assertEquals(1, readOnly.path("disconnected").size(), readOnly.toString());
            assertTrue(readOnly.path("disconnected").get(0).path("why").asText().contains("only read"), readOnly.toString());
            assertTrue(info(server, "bob", bobKey).ok("bob's info after ro").output().toLowerCase().contains("read-only"),
                    "bob's next login is granted read-only");

            Files.writeString(access, "d not-a-rule-line because:three fields\n");
            Host.Result bad = server.ctl("reload");
            assertEquals(1, bad.exitCode(), bad.output());
            assertTrue(bad.output().contains("line 1"), "names the bad line: " + bad.output());
            info(server, "bob", bobKey).ok("a failed reload changed nothing");

            Files.writeString(access, "d carol:rw\n");
            long reloadsBefore = server.logText().lines().filter(l -> l.contains("reload: ")).count();
            assertEquals(0, Host.exec("kill", "-HUP", Long.toString(server.pid())).exitCode());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.logText().lines().filter(l -> l.contains("reload: ")).count() == reloadsBefore) {
                assertTrue(System.nanoTime() < deadline, "SIGHUP reloaded within 30 s: " + server.logText());
                Thread.sleep(50);
            }
            Host.Result refused = info(server, "bob", bobKey);
            assertEquals(4, refused.exitCode(), "after SIGHUP the file's rules no longer admit bob: " + refused.output());
            assertTrue(server.isAlive(), "SIGHUP reloads, it does not end the server");
        }
    }

    private static JsonNode status(ServerProcess server) throws Exception {
        return JSON.readTree(server.ctl("status", "--json").ok("ctl status").output());
    }

    private static JsonNode client(ServerProcess server, String identity) throws Exception {
        for (JsonNode c : status(server).path("clients")) if (c.path("identity").asText().equals(identity)) return c;
        throw new AssertionError(identity + " is not connected");
    }

    /** Alice and bob write to the one export at once: shared writers (exclusive attach would refuse the second). */
    private static ClientConfig config(ServerProcess server, String identity, Path key) throws Exception {
        return ClientConfig.builder("127.0.0.1", server.port(), "d").connectTimeout(Duration.ofSeconds(30)).ioTimeout(IO_TIMEOUT)
                .credentials(new Credentials(identity, ClientKey.read(key))).attach(dst.protocol.Tlv.AttachFlags.SHARED).build();
    }

    private static Host.Result info(ServerProcess server, String identity, Path key) throws Exception {
        // the connect timeout is above the server's longest login throttle (5 s after failures from this address)
        return Cli.client(Map.of(), "info", "--connect-timeout", "30", "--identity", identity, "--key-file", key.toString(),
                "127.0.0.1:" + server.port() + "/d");
    }
}
