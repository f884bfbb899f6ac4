package dst.it.security;

import dst.it.harness.Cli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dst-server client remove}, with the real programs: the key leaves the clients file, a name
 * that is not there is a usage error, and once the server is restarted (it reads the file at start, as
 * {@code --help} says) the removed identity is refused while the others still log in.
 */
class RemovedClientIsLockedOutAfterRestartIT {
    @TempDir
    Path dir;

    @Test
    void removedClientIsRefusedByTheRestartedServerAndOthersStillLogIn() throws Exception {
        Path clients = dir.resolve("clients");
        Path aliceKey = dir.resolve("alice.key");
        Path bobKey = dir.resolve("bob.key");
        assertEquals(0, Cli.server("client", "add", "alice", "--clients", clients.toString(), "--key-file", aliceKey.toString()).exitCode());
        assertEquals(0, Cli.server("client", "add", "bob", "--clients", clients.toString(), "--key-file", bobKey.toString()).exitCode());

        try (ServerProcess server = ServerProcess.builder("client-remove")
                .arg("--clients", clients.toString()).export("d=mem:1M").start()) {
            String target = "127.0.0.1:" + server.port() + "/d";
            assertEquals(0, info(target, "alice", aliceKey).exitCode(), "alice logs in before her removal");

            Host.Result removed = Cli.server("client", "remove", "alice", "--clients", clients.toString());
            assertEquals(0, removed.exitCode(), removed.output());
            assertTrue(removed.output().contains("dst-server ctl reload"), "says how to make it take effect: " + removed.output());
            Host.Result list = Cli.server("client", "list", "--clients", clients.toString());
            assertEquals("bob", list.output().strip(), "only bob is left: " + list.output());

            Host.Result again = Cli.server("client", "remove", "alice", "--clients", clients.toString());
            assertEquals(2, again.exitCode(), "removing a name that is not there is a usage error: " + again.output());
            assertTrue(again.output().contains("no client 'alice'") && again.output().contains("known: bob"), again.output());
            Host.Result noFile = Cli.server("client", "remove", "alice", "--clients", dir.resolve("missing").toString());
            assertEquals(2, noFile.exitCode(), noFile.output());
            assertTrue(noFile.output().contains("no clients file"), noFile.output());

            assertEquals(0, info(target, "alice", aliceKey).exitCode(),
                    "the running server keeps the keys it read until it reloads (or restarts)");

            assertEquals(143, server.terminate());
            server.restart();
            target = "127.0.0.1:" + server.port() + "/d";
            Host.Result alice = info(target, "alice", aliceKey);
            assertEquals(4, alice.exitCode(), "a removed client is refused after the restart: " + alice.output());
            assertTrue(alice.output().contains("EACCES"), alice.output());
            Host.Result bob = info(target, "bob", bobKey);
            assertEquals(0, bob.exitCode(), "the other clients still log in: " + bob.output());
            assertTrue(server.logText().contains("authentication failed for identity 'alice'"), server.logText());
            assertFalse(server.logText().contains("authentication failed for identity 'bob'"), server.logText());
        }
    }

    private static Host.Result info(String target, String identity, Path key) throws Exception {
        return Cli.client(Map.of(), "info", "--connect-timeout", "30", "--identity", identity, "--key-file", key.toString(), target);
    }
}
