package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import dst.runtime.transport.Transport;
import dst.server.auth.ClientKeys;
import dst.server.auth.ServerSecurity;
import dst.server.export.ExportAccess;
import dst.server.net.DstServer;
import dst.server.net.ServerConfig;
import dst.server.tls.ServerCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * STARTTLS on a TLS-only server (FORCEDTLS, as the spec's downgrade section advises) and TLS client certificates
 * as identities, against a running server's NBD port.
 */
class NbdTlsTest {
    @TempDir
    static Path dir;
    private static ServerCertificate serverCert;
    private static ServerCertificate alice;
    private DstServer server;

    @BeforeAll
    static void certificates() throws Exception {
        serverCert = new ServerCertificate(dir.resolve("server"));
        serverCert.init(List.of("localhost", "127.0.0.1"), false);
        alice = new ServerCertificate(dir.resolve("alice"));
        alice.init(List.of("alice"), false);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
    }

    /** A TLS-only server whose clients may present certificates issued as alice's. */
    private int start(boolean anonymous) throws Exception {
        ServerSecurity security = new ServerSecurity(ClientKeys.none(), anonymous, serverCert.context(alice.certFile()));
        server = DstServer.start(List.of(NbdHandshakeTest.mem("open", 1 << 20, false, ExportAccess.EVERYONE),
                        NbdHandshakeTest.mem("alices", 1 << 20, false, ExportAccess.parse("alice:ro"))),
                ServerConfig.defaults().withSecurity(security), Transport.tcp(new InetSocketAddress("127.0.0.1", 0)),
                Transport.tcp(new InetSocketAddress("127.0.0.1", 0)));
        return server.nbdAddress().getPort();
    }

    @Test
    void plaintextOptionsAreRefusedWithTlsRequired() throws Exception {
        int port = start(true);
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            for (int option : new int[]{Nbd.OPT_GO, Nbd.OPT_INFO, Nbd.OPT_LIST, Nbd.OPT_STRUCTURED_REPLY, 0x77}) {
                c.option(option, option == Nbd.OPT_GO || option == Nbd.OPT_INFO ? RawNbdClient.infoRequest("open") : new byte[0]);
                RawNbdClient.OptionReply r = c.reply();
                assertEquals(Nbd.REP_ERR_TLS_REQD, r.type(), Nbd.optionName(option));
            }
            c.option(Nbd.OPT_EXPORT_NAME, "open".getBytes());
            assertTrue(c.closedByServer(), "EXPORT_NAME cannot be refused with an error: the connection closes");
        }
    }

    @Test
    void afterStartTlsEverythingWorksAndNothingNegotiatedBeforeSurvives() throws Exception {
        int port = start(true);
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.startTls(serverCert.certFile());
            c.option(Nbd.OPT_STARTTLS, new byte[0]);
            assertEquals(Nbd.REP_ERR_INVALID, c.reply().type(), "a second STARTTLS");
            c.go("open");
            c.write(1, 512, new byte[]{1, 2, 3, 4});
            assertEquals(0, c.simple(0).error());
            c.request(0, Nbd.CMD_READ, 2, 512, 4, null);
            assertArrayEquals(new byte[]{1, 2, 3, 4}, c.simple(4).payload());
        }
    }

    @Test
    void bytesSentAfterStartTlsInPlaintextCloseTheConnection() throws Exception {
        int port = start(true);
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            // an injected option right behind STARTTLS, in the same packet (CVE-2021-3716 in nbdkit)
            c.out().writeLong(Nbd.IHAVEOPT);
            c.out().writeInt(Nbd.OPT_STARTTLS);
            c.out().writeInt(0);
            c.out().writeLong(Nbd.IHAVEOPT);
            c.out().writeInt(Nbd.OPT_GO);
            c.out().writeInt(0);
            c.out().flush();
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aClientCertificateIsTheIdentityTheExportRulesSee() throws Exception {
        int port = start(false);
        try (RawNbdClient c = new RawNbdClient(port).greet()) { // no certificate: anonymous, and this server serves none
            c.startTls(serverCert.certFile());
            c.option(Nbd.OPT_GO, RawNbdClient.infoRequest("open"));
            RawNbdClient.OptionReply r = c.reply();
            assertEquals(Nbd.REP_ERR_POLICY, r.type());
            assertTrue(r.text().contains("authenticated clients only"), r.text());
        }
        try (RawNbdClient c = new RawNbdClient(port).greet()) {
            c.startTls(serverCert.certFile(), alice.certFile(), alice.keyFile());
            long[] info = c.go("alices");
            assertTrue((info[1] & Nbd.FLAG_READ_ONLY) != 0, "alice:ro is told READ_ONLY");
            c.write(1, 0, new byte[512]);
            assertEquals(Nbd.EPERM, c.simple(0).error());
            c.request(0, Nbd.CMD_READ, 2, 0, 512, null);
            assertEquals(0, c.simple(512).error());
        }
    }
}
