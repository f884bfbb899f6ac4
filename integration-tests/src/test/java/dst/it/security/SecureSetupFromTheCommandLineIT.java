package dst.it.security;

import dst.it.harness.Cli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's secure setup, with the real programs: client keys and a TLS certificate made by
 * dst-server's own commands, a TLS server with per-identity rules, clients with keys from a file
 * and from DST_KEY. Then what must be refused is refused, with the documented exit codes.
 */
class SecureSetupFromTheCommandLineIT {
    private static final Pattern KEY = Pattern.compile("(?m)^([0-9a-f]{64})$");
    private static final Pattern FINGERPRINT = Pattern.compile("SHA-256 fingerprint: ([0-9A-F:]{95})");

    @TempDir
    Path dir;

    @Test
    void keysTlsAndRulesWorkEndToEnd() throws Exception {
        Path clients = dir.resolve("clients");
        Path aliceKey = dir.resolve("alice.key");
        Host.Result alice = Cli.server("client", "add", "alice", "--clients", clients.toString(), "--key-file", aliceKey.toString());
        assertEquals(0, alice.exitCode(), alice.output());
        assertFalse(KEY.matcher(alice.output()).find(), "a key written to a file is not printed too");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(aliceKey)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(clients)));
        Host.Result bob = Cli.server("client", "add", "bob", "--clients", clients.toString());
        assertEquals(0, bob.exitCode(), bob.output());
        Matcher bobKey = KEY.matcher(bob.output());
        assertTrue(bobKey.find(), "the key is printed once: " + bob.output());
        assertNotEquals(0, Cli.server("client", "add", "bob", "--clients", clients.toString()).exitCode(), "no silent key replacement");

        Host.Result tls = Cli.server("tls", "init", "--dir", dir.resolve("tls").toString(), "--name", "127.0.0.1");
        assertEquals(0, tls.exitCode(), tls.output());
        Matcher fp = FINGERPRINT.matcher(tls.output());
        assertTrue(fp.find(), tls.output());
        String fingerprint = fp.group(1);

        byte[] data = new byte[3 << 20];
        new Random(5).nextBytes(data);
        Path upload = Files.write(dir.resolve("upload.bin"), data);
        try (ServerProcess server = ServerProcess.builder("secure")
                .arg("--clients", clients.toString(), "--tls", "--tls-dir", dir.resolve("tls").toString())
                .export("d0=" + dir.resolve("d0.img") + ",size=8M,allow=alice:rw+bob:ro")
                .start()) {
            String target = "127.0.0.1:" + server.port() + "/d0";
            Map<String, String> bobEnv = Map.of("DST_KEY", bobKey.group(1));

            Host.Result up = Cli.client(Map.of(), "copy", "--identity", "alice", "--key-file", aliceKey.toString(),
                    "--tls-fingerprint", fingerprint, upload.toString(), "dst://" + target);
            assertEquals(0, up.exitCode(), up.output());
            Path back = dir.resolve("back.bin");
            Host.Result down = Cli.client(bobEnv, "copy", "--identity", "bob", "--tls-ca", dir.resolve("tls/server.crt").toString(),
                    "--length", String.valueOf(data.length), target, back.toString());
            assertEquals(0, down.exitCode(), down.output());
            assertArrayEquals(data, Files.readAllBytes(back), "bob (ro, key from DST_KEY, CA trust) reads what alice wrote");

            Host.Result bobWrites = Cli.client(bobEnv, "copy", "--identity", "bob", "--tls-fingerprint", fingerprint,
                    upload.toString(), "dst://" + target);
            assertEquals(4, bobWrites.exitCode(), "a read-only identity cannot write: " + bobWrites.output());

            Host.Result wrongKey = Cli.client(Map.of("DST_KEY", "00".repeat(32)), "info", "--identity", "alice",
                    "--tls-fingerprint", fingerprint, target);
            assertEquals(4, wrongKey.exitCode(), wrongKey.output());
            assertTrue(wrongKey.output().contains("EACCES"), wrongKey.output());

            Host.Result anonymous = Cli.client(Map.of(), "info", "--tls-fingerprint", fingerprint, target);
            assertEquals(4, anonymous.exitCode(), anonymous.output());

            String otherFp = (fingerprint.startsWith("00") ? "11" : "00") + fingerprint.substring(2);
            Host.Result impostor = Cli.client(Map.of(), "info", "--identity", "alice", "--key-file", aliceKey.toString(),
                    "--tls-fingerprint", otherFp, target);
            assertEquals(4, impostor.exitCode(), "a certificate that is not the pinned one is refused: " + impostor.output());

            Host.Result plain = Cli.client(Map.of(), "info", "--identity", "alice", "--key-file", aliceKey.toString(), target);
            assertNotEquals(0, plain.exitCode(), "a plain client gets nothing from a TLS server: " + plain.output());

            String log = server.logText();
            assertTrue(log.contains("authentication failed for identity 'alice'"), log);
            assertFalse(log.contains(bobKey.group(1)) || log.contains(Files.readString(aliceKey).strip()), "keys never reach the log");
        }
    }

    @Test
    void keyFileReadableByOthersIsRefused() throws Exception {
        Path key = dir.resolve("k");
        assertEquals(0, Cli.server("client", "add", "carol", "--clients", dir.resolve("c").toString(), "--key-file", key.toString()).exitCode());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Host.Result r = Cli.client(Map.of(), "info", "--identity", "carol", "--key-file", key.toString(), "127.0.0.1:1/x");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.output().contains("chmod 600"), r.output());
    }

    @Test
    void serverOnAllInterfacesWithoutKeysRefusesToStart() throws Exception {
        Host.Result r = Cli.server("--listen", "0.0.0.0:0", "--clients", dir.resolve("none").toString(), "--export", "d=mem:1M");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("--anonymous"), r.output());
    }
}
