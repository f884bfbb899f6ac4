package dst.it.nbd;

import dst.it.harness.Host;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dst-server started with {@code --tls} serves NBD only after STARTTLS: a plaintext client gets
 * NBD_REP_ERR_TLS_REQD for every option (no export, not even the export list), libnbd over TLS that trusts the
 * server's certificate ({@code dst-server tls init}) gets the export and moves data intact, and a client trusting
 * another certificate fails the handshake.
 */
class NbdStartTlsIsRequiredOnTlsServerIT {
    @TempDir
    Path tmp;
    private ServerProcess server;
    private Path image;
    private Path trusted;

    @BeforeEach
    void tlsServer() throws Exception {
        StockNbdTools.assumeInstalled("nbdinfo", "nbdsh", "nbdcopy");
        Path tlsDir = tmp.resolve("tls");
        Host.exec(120, List.of(Repo.java(), "-jar", Repo.serverJar().toString(), "tls", "init", "--dir", tlsDir.toString(),
                "--name", "127.0.0.1"), Map.of()).ok("dst-server tls init");
        // libnbd (GnuTLS) reads the certificates it trusts from DIR/ca-cert.pem.
        trusted = Files.createDirectories(tmp.resolve("client-trusts-dst"));
        Files.copy(tlsDir.resolve("server.crt"), trusted.resolve("ca-cert.pem"));
        image = tmp.resolve("disk.img");
        Host.run("truncate", "-s", "32M", image.toString());
        server = ServerProcess.builder("nbd-tls").nbd().jvmArg("-Dio.netty.leakDetection.level=paranoid")
                .arg("--tls", "--tls-dir", tlsDir.toString()).export("disk=" + image).start();
    }

    private String tlsUri(Path certificates) {
        return server.nbdUri("disk").replaceFirst("^nbd://", "nbds://") + "?tls-certificates=" + certificates;
    }

    @Test
    void plaintextClientsAreRefusedWithTlsRequired() throws Exception {
        Host.Result info = StockNbdTools.exec(60, "nbdinfo", server.nbdUri("disk"));
        assertNotEquals(0, info.exitCode(), "plaintext nbdinfo got an export from a --tls server:\n" + info.output());
        assertFalse(info.output().contains("export-size"), info.output());
        Host.Result list = StockNbdTools.exec(60, "nbdinfo", "--list", server.nbdUri(""));
        assertNotEquals(0, list.exitCode(), "plaintext nbdinfo --list worked on a --tls server:\n" + list.output());
        assertFalse(list.output().contains("disk"), "the export name leaked to a plaintext client:\n" + list.output());

        // Option by option, as the protocol says: NBD_REP_ERR_TLS_REQD, which libnbd reports as ENOTSUP.
        Host.Result r = StockNbdTools.nbdsh(server.nbdUri("disk"), """
                h = nbd.NBD()
                h.set_opt_mode(True)
                h.connect_uri(uri)
                expect_error("NBD_OPT_GO without TLS", errno.ENOTSUP, lambda: h.opt_go())
                expect_error("NBD_OPT_INFO without TLS", errno.ENOTSUP, lambda: h.opt_info())
                expect_error("NBD_OPT_LIST without TLS", errno.ENOTSUP, lambda: h.opt_list(lambda name, description: print("LISTED", name)))
                h.opt_abort()
                """);
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(3, r.output().lines().filter(l -> l.startsWith("OK ")).count(), r.output());
        assertFalse(r.output().contains("LISTED"), r.output());
    }

    @Test
    void clientTrustingTheServersCertificateGetsTheExportOverTls() throws Exception {
        String json = StockNbdTools.run("nbdinfo", "--json", tlsUri(trusted));
        assertEquals("true", StockNbdTools.jsonValue(json, "TLS"), json);
        assertEquals(String.valueOf(32L << 20), StockNbdTools.jsonValue(json, "export-size"), json);

        Path source = tmp.resolve("source.bin");
        Host.run("dd", "if=/dev/urandom", "of=" + source, "bs=1M", "count=32", "status=none");
        StockNbdTools.run("nbdcopy", "--flush", source.toString(), tlsUri(trusted));
        assertEquals(Host.sha256(source), Host.sha256(image), "data copied over TLS differs in the backing file");
        Path back = tmp.resolve("back.bin");
        StockNbdTools.run("nbdcopy", tlsUri(trusted), back.toString());
        assertEquals(Host.sha256(source), Host.sha256(back), "data read over TLS differs");
    }

    @Test
    void clientTrustingAnotherCertificateFailsTheHandshake() throws Exception {
        Path other = tmp.resolve("other-tls");
        Host.exec(120, List.of(Repo.java(), "-jar", Repo.serverJar().toString(), "tls", "init", "--dir", other.toString(),
                "--name", "127.0.0.1"), Map.of()).ok("dst-server tls init (another)");
        Path wrong = Files.createDirectories(tmp.resolve("client-trusts-other"));
        Files.copy(other.resolve("server.crt"), wrong.resolve("ca-cert.pem"));
        Host.Result r = StockNbdTools.exec(60, "nbdinfo", tlsUri(wrong));
        assertNotEquals(0, r.exitCode(), "nbdinfo trusted a certificate it was not given:\n" + r.output());
        assertTrue(r.output().toLowerCase().contains("certificate"), "expected a certificate verification error:\n" + r.output());
        assertEquals(String.valueOf(32L << 20), StockNbdTools.run("nbdinfo", "--size", tlsUri(trusted)).trim(),
                "the server stopped serving after a failed handshake");
    }

    @AfterEach
    void stop() {
        if (server == null) return;
        server.close();
        assertFalse(server.logText().contains("LEAK:"), "the server leaked buffers, see " + server.logFile());
    }
}
