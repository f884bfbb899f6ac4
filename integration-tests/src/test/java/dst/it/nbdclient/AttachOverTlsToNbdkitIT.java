package dst.it.nbdclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dst.it.harness.Blocks;
import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.nbd.StockNbdServer;
import dst.it.nbd.TestCa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dst-client attach nbds://...} against nbdkit started with {@code --tls=require}: the NBD STARTTLS path
 * (NBD_OPT_STARTTLS, then TLS 1.3, then the options) against a server that is not dst. The server certificate is
 * issued by a CA made in the test ({@link TestCa}). Trusted by its CA ({@code --tls-ca}, host name checked) or pinned
 * by its fingerprint ({@code --tls-fingerprint}), {@code info} shows the export and {@code attach} makes a device whose
 * writes, after fsync, are in nbdkit's file block for block. A pin that does not match, a CA that did not issue the
 * certificate, and plain {@code nbd://} (nbdkit answers NBD_REP_ERR_TLS_REQD) are each refused with exit code 4 and a
 * message saying why, and leave no device, no record and no loop device behind. nbdkit serves its default export
 * (no name): {@code info}, {@code list} and {@code status} call it {@code (default)}.
 */
class AttachOverTlsToNbdkitIT {
    private static final long DISK_BYTES = 64L << 20;
    /** Exit code 4: refused by the server (dst-runtime ExitCodes.REFUSED). */
    private static final int REFUSED = 4;

    enum Trust { CA, FINGERPRINT }

    @TempDir
    Path tmp;
    private StockNbdServer server;
    private ClientCli client;
    private TestCa ca;
    private Path certificates;

    @BeforeEach
    void nbdkitRequiringTls() throws Exception {
        StockNbdServer.assumeInstalled(StockNbdServer.Kind.NBDKIT_FILE);
        TestCa.assumeInstalled();
        ca = TestCa.create(tmp.resolve("ca"), "dst-it-ca");
        certificates = ca.issueNbdkit(tmp.resolve("nbdkit-tls"));
        server = StockNbdServer.startTls(tmp, DISK_BYTES, certificates);
        client = new ClientCli(tmp.resolve("run"));
    }

    private List<String> trustOptions(Trust trust) throws Exception {
        return trust == Trust.CA ? List.of("--tls-ca", ca.certificate().toString())
                : List.of("--tls-fingerprint", TestCa.fingerprint(certificates.resolve("server-cert.pem")));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Trust.class)
    void trustedServerIsAttachedAndWritesLandInNbdkitsFile(Trust trust) throws Exception {
        Host.assumeRig("blockdev");
        List<String> options = trustOptions(trust);
        String info = client.run(args("info", server.uri(), options));
        assertTrue(info.contains("size:          " + DISK_BYTES + " bytes"), info);
        assertTrue(info.contains("protocol:      NBD"), info);
        assertTrue(info.contains("export:        (default) (the server's default export)"), info);
        List<String> json = new ArrayList<>(options);
        json.add("--json");
        JsonNode j = new ObjectMapper().readTree(client.run(args("info", server.uri(), json)));
        assertEquals("", j.path("export").asText(null), "info --json: the default export's name is empty\n" + j);
        assertEquals(DISK_BYTES, j.path("size").asLong(), j.toString());

        String name = "tls-" + trust.name().toLowerCase();
        Path device = client.attach(server.uri(), args("--name", name, options));
        assertEquals(DISK_BYTES, Long.parseLong(Host.run("blockdev", "--getsize64", device.toString())), "device size");
        String list = client.run("list");
        String row = list.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(list));
        assertTrue(row.contains(" (default) "), "list names nbdkit's default export:\n" + list);
        assertTrue(client.run("status", name).contains("export:      (default) (the server's default export)"), client.run("status", name));

        int blocks = 64;
        long stride = DISK_BYTES / blocks; // spread over the whole disk, the last block ending at its end
        try (FileChannel dev = FileChannel.open(device, StandardOpenOption.WRITE)) {
            for (int i = 0; i < blocks; i++) {
                long offset = i * stride + stride - Blocks.SIZE;
                dev.write(ByteBuffer.wrap(Blocks.content(offset, trust.ordinal() + 1)), offset);
            }
            dev.force(true); // fsync on the device: acknowledged only once nbdkit has the data
        }
        // Read from nbdkit's own file while still attached: what fsync acknowledged is there, not in some cache of ours.
        try (RandomAccessFile image = new RandomAccessFile(server.image().toFile(), "r")) {
            for (int i = 0; i < blocks; i++) {
                long offset = i * stride + stride - Blocks.SIZE;
                byte[] b = new byte[Blocks.SIZE];
                image.seek(offset);
                image.readFully(b);
                assertEquals(Blocks.Verdict.OK, Blocks.check(b, offset, trust.ordinal() + 1), "block at " + offset + " in nbdkit's file");
            }
        }
        client.run("detach", device.toString());
        assertFalse(Host.loopDevicesUnder(client.runDir()).iterator().hasNext(), "loop device left after detach");
    }

    @Test
    void pinThatDoesNotMatchIsRefused() throws Exception {
        String pin = TestCa.fingerprint(certificates.resolve("server-cert.pem"));
        String wrong = (pin.startsWith("00") ? "11" : "00") + pin.substring(2);
        refused(List.of("--tls-fingerprint", wrong), server.uri(), "TLS handshake failed", "fingerprint");
    }

    @Test
    void caThatDidNotIssueTheCertificateIsRefused() throws Exception {
        TestCa other = TestCa.create(tmp.resolve("other-ca"), "dst-it-other-ca");
        refused(List.of("--tls-ca", other.certificate().toString()), server.uri(), "TLS handshake failed", "certificate");
    }

    @Test
    void plainNbdToATlsOnlyServerSaysTlsIsRequired() throws Exception {
        refused(List.of(), server.plainUri(), "requires TLS", "nbds://");
    }

    /** {@code info} and {@code attach} both fail with exit code 4 and the given words; nothing is left attached. */
    private void refused(List<String> options, String uri, String... words) throws Exception {
        Host.assumeRig();
        for (String command : List.of("info", "attach")) {
            List<String> a = new ArrayList<>(List.of(args(command, uri, options)));
            if (command.equals("attach")) a.addAll(List.of("--name", "refused", "--connect-timeout", "30"));
            Host.Result r = client.exec(a.toArray(String[]::new));
            assertEquals(REFUSED, r.exitCode(), String.join(" ", a) + ":\n" + r.output());
            for (String w : words) assertTrue(r.output().contains(w), "'" + w + "' missing from " + String.join(" ", a) + ":\n" + r.output());
        }
        assertEquals(1, client.run("list").lines().count(), "a refused attach left a device:\n" + client.run("list"));
        if (Files.isDirectory(client.runDir())) {
            assertFalse(Host.loopDevicesUnder(client.runDir()).iterator().hasNext(), "a refused attach left a loop device");
        }
        assertTrue(server.isAlive(), "nbdkit died: " + server.logText());
        String info = client.run(args("info", server.uri(), trustOptions(Trust.CA)));
        assertTrue(info.contains(Long.toString(DISK_BYTES)), "nbdkit stopped serving trusted clients:\n" + info);
    }

    /** {@code first second} followed by {@code options}, as command-line arguments. */
    private static String[] args(String first, String second, List<String> options) {
        List<String> a = new ArrayList<>(List.of(first, second));
        a.addAll(options);
        return a.toArray(String[]::new);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null && Files.isDirectory(client.runDir())) client.detachAll();
        if (server != null) server.close();
    }
}
