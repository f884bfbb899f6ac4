package dst.it.security;

import dst.client.core.TlsTrust;
import dst.client.net.RemoteDisk;
import dst.it.harness.Blocks;
import dst.it.harness.FaultProxy;
import dst.it.harness.Io;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.runtime.transport.Tls;
import dst.server.auth.ServerSecurity;
import dst.server.export.Export;
import dst.server.export.ExportSpec;
import dst.server.net.DstServer;
import dst.server.net.ServerConfig;
import dst.server.tls.ServerCertificate;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS 1.3 between real sockets, with a certificate made by the server's own tls init (keytool). */
class TlsTransportTest {
    @TempDir
    static Path dir;
    static ServerCertificate cert;
    static String fingerprint;

    @BeforeAll
    static void makeCertificate() throws Exception {
        cert = new ServerCertificate(dir.resolve("tls"));
        fingerprint = Tls.fingerprint(cert.init(List.of("localhost", "127.0.0.1"), false));
    }

    private static ServerSecurity tls() throws Exception {
        return SecureServer.keysOnly().withTls(cert.context());
    }

    @Test
    void pinnedFingerprintWorksAndTheWireCarriesNoPlaintext() throws Exception {
        byte[] pattern = Blocks.content(42, 0, 64 * 1024);
        try (SecureServer s = SecureServer.start(tls(), "d0=mem:4M");
             FaultProxy wire = FaultProxy.start(s.port()).recording();
             RemoteDisk disk = RemoteDisk.connect(SecureServer.client(wire.port(), "d0", "alice", SecureServer.ALICE)
                     .toBuilder().tls(TlsTrust.pinned(fingerprint)).build())) {
            Io.write(disk, 0, pattern);
            Io.writeAndVerify(disk, 65536, 43, 4096);
            byte[] seen = wire.seen();
            assertTrue(seen.length > pattern.length, "the data crossed the relay");
            assertFalse(contains(seen, slice(pattern, 1000, 32)), "a 32-byte piece of the written data is visible on the wire");
            assertFalse(contains(seen, "d0".getBytes()) && contains(seen, "alice".getBytes()) && contains(seen, "DSTH".getBytes()),
                    "handshake frames are visible on the wire");
        }
    }

    /**
     * Over TLS a reply counts as answered only once SslHandler has written it, and still before the client can
     * send again: a client keeping to a tiny MAX_IN_FLIGHT (4) with 256 requests submitted at once is never cut
     * off, whether replies come from the event loop (memory) or from I/O threads (file).
     */
    @Test
    void clientKeepingToTheInFlightLimitIsNeverCutOffOverTls() throws Exception {
        List<Export> exports = List.of(
                Export.open(ExportSpec.parse("mem=mem:16M")),
                Export.open(ExportSpec.parse("file=" + dir.resolve("file.img") + ",size=16M")));
        ServerConfig config = ServerConfig.defaults().withSecurity(tls()).withMaxInFlight(4);
        DstServer server = DstServer.start(exports, config, new InetSocketAddress("127.0.0.1", 0));
        try {
            for (String export : new String[]{"mem", "file"}) {
                try (RemoteDisk disk = RemoteDisk.connect(SecureServer.client(server.localAddress().getPort(), export, "alice",
                        SecureServer.ALICE).toBuilder().tls(TlsTrust.pinned(fingerprint)).build())) {
                    assertEquals(4, disk.info().maxInFlight());
                    List<CompletableFuture<Void>> writes = new ArrayList<>();
                    for (int i = 0; i < 256; i++) {
                        writes.add(disk.write(i * 16384L, Unpooled.wrappedBuffer(Blocks.content(i, 0, 16384)), false));
                    }
                    for (var w : writes) w.get(60, TimeUnit.SECONDS);
                    for (int i = 0; i < 256; i += 51) {
                        assertArrayEquals(Blocks.content(i, 0, 16384), Io.read(disk, i * 16384L, 16384), export + " block " + i);
                    }
                    assertEquals(0, disk.stats().reconnects.sum(), export + ": the client was cut off: " + disk.stats().summary());
                }
            }
        } finally {
            server.close();
        }
    }

    /** The control for the test above: without TLS the same relay does see the pattern. */
    @Test
    void withoutTlsTheRelaySeesTheData() throws Exception {
        byte[] pattern = Blocks.content(42, 0, 64 * 1024);
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), "d0=mem:4M");
             FaultProxy wire = FaultProxy.start(s.port()).recording();
             RemoteDisk disk = RemoteDisk.connect(SecureServer.client(wire.port(), "d0", "alice", SecureServer.ALICE))) {
            Io.write(disk, 0, pattern);
            disk.flush().get();
            assertTrue(contains(wire.seen(), slice(pattern, 1000, 32)));
        }
    }

    @Test
    void wrongFingerprintIsRefused() throws Exception {
        String wrong = (fingerprint.startsWith("00") ? "11" : "00") + fingerprint.substring(2);
        try (SecureServer s = SecureServer.start(tls(), "d0=mem:4M")) {
            DstException e = assertThrows(DstException.class, () -> RemoteDisk.connect(
                    s.client("d0", "alice", SecureServer.ALICE).toBuilder().tls(TlsTrust.pinned(wrong)).build()));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("TLS"), e.getMessage());
        }
    }

    @Test
    void caFileWithMatchingHostNameWorks() throws Exception {
        try (SecureServer s = SecureServer.start(tls(), "d0=mem:4M");
             RemoteDisk disk = RemoteDisk.connect(s.client("d0", "alice", SecureServer.ALICE).toBuilder().tls(TlsTrust.ca(cert.certFile())).build())) {
            Io.writeAndVerify(disk, 0, 9, 4096);
        }
    }

    @Test
    void plainClientGetsNothingFromATlsServer() throws Exception {
        try (SecureServer s = SecureServer.start(tls(), "d0=mem:4M")) {
            DstException e = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("d0", "alice", SecureServer.ALICE)));
            assertTrue(e.errno() == Errno.ECONNRESET || e.errno() == Errno.EPROTO, e.getMessage());
        }
    }

    /** Mutual TLS: a client certificate the server trusts is an identity (its CN), no key needed. */
    @Test
    void clientCertificateIsAnIdentity() throws Exception {
        ServerCertificate alice = new ServerCertificate(dir.resolve("alice"));
        alice.init(List.of("alice"), true);
        ServerCertificate mallory = new ServerCertificate(dir.resolve("mallory"));
        mallory.init(List.of("mallory"), true);
        ServerSecurity mutual = SecureServer.keysOnly().withTls(cert.context(alice.certFile()));
        try (SecureServer s = SecureServer.start(mutual, "d0=mem:4M,allow=alice:rw", "bobs=mem:1M,allow=bob:rw")) {
            TlsTrust asAlice = TlsTrust.pinned(fingerprint).withClientCertificate(alice.certFile(), alice.keyFile());
            try (RemoteDisk disk = RemoteDisk.connect(s.client("d0", null, null).toBuilder().tls(asAlice).build())) {
                Io.writeAndVerify(disk, 0, 31, 8192);
            }
            DstException rules = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("bobs", null, null).toBuilder().tls(asAlice).build()));
            assertEquals(Errno.EACCES, rules.errno(), "the certificate's identity is subject to the export rules");
            TlsTrust asMallory = TlsTrust.pinned(fingerprint).withClientCertificate(mallory.certFile(), mallory.keyFile());
            DstException untrusted = assertThrows(DstException.class, () -> RemoteDisk.connect(s.client("d0", null, null).toBuilder().tls(asMallory).build()));
            assertTrue(untrusted.errno() == Errno.EACCES || untrusted.errno() == Errno.ECONNRESET || untrusted.errno() == Errno.EPROTO,
                    untrusted.getMessage());
            DstException none = assertThrows(DstException.class,
                    () -> RemoteDisk.connect(s.client("d0", null, null).toBuilder().tls(TlsTrust.pinned(fingerprint)).build()));
            assertEquals(Errno.EACCES, none.errno(), "without certificate or key: anonymous, refused");
            try (RemoteDisk withKey = RemoteDisk.connect(s.client("d0", "alice", SecureServer.ALICE).toBuilder().tls(TlsTrust.pinned(fingerprint)).build())) {
                Io.writeAndVerify(withKey, 8192, 32, 4096); // keys still work on a mutual-TLS server
            }
        }
    }

    static byte[] slice(byte[] b, int from, int len) {
        return java.util.Arrays.copyOfRange(b, from, from + len);
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }
}
