package dst.it.security;

import dst.client.core.ClientConfig;
import dst.client.core.Credentials;
import dst.client.net.RemoteDisk;
import dst.it.harness.Io;
import dst.runtime.transport.Transport;
import dst.server.auth.ServerSecurity;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Unix socket transport passes the same round trip as TCP, with and without authentication. */
class UnixSocketTest {
    @TempDir
    Path dir;

    @Test
    void roundTripOverAUnixSocket() throws Exception {
        assumeTrue(Epoll.isAvailable(), "Unix sockets need Netty's native epoll: " + Epoll.unavailabilityCause());
        Path sock = dir.resolve("dst.sock");
        try (SecureServer s = SecureServer.start(SecureServer.keysOnly(), Transport.unix(sock), "d0=mem:4M")) {
            assertTrue(Files.exists(sock));
            assertEquals("unix:" + sock, s.server.describeAddress());
            ClientConfig c = ClientConfig.parse("unix:" + sock + "/d0").toBuilder().credentials(new Credentials("alice", SecureServer.ALICE)).build();
            try (RemoteDisk disk = RemoteDisk.connect(c)) {
                assertEquals(4 << 20, disk.info().size());
                Io.writeAndVerify(disk, 0, 21, 256 * 1024);
                Io.writeAndVerify(disk, (4 << 20) - 4096, 22, 4096);
            }
        }
        assertFalse(Files.exists(sock), "the socket file is removed on shutdown");
    }

    @Test
    void staleSocketFileIsReplacedButALiveOneIsNot() throws Exception {
        assumeTrue(Epoll.isAvailable(), "Unix sockets need Netty's native epoll");
        Path sock = dir.resolve("stale.sock");
        try (SecureServer first = SecureServer.start(ServerSecurity.open(), Transport.unix(sock), "d0=mem:1M")) {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> SecureServer.start(ServerSecurity.open(), Transport.unix(sock), "d0=mem:1M"));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        // a file left behind by a server that died (simulated: bind and close without deleting)
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock));
        try (SecureServer again = SecureServer.start(ServerSecurity.open(), Transport.unix(sock), "d0=mem:1M");
             RemoteDisk disk = RemoteDisk.connect(ClientConfig.parse("unix:" + sock + "/d0"))) {
            Io.writeAndVerify(disk, 0, 1, 4096);
        }
    }
}
