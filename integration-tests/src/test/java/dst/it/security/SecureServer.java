package dst.it.security;

import dst.client.core.ClientConfig;
import dst.client.core.Credentials;
import dst.protocol.auth.ClientKey;
import dst.runtime.transport.Transport;
import dst.server.auth.ClientKeys;
import dst.server.auth.ServerSecurity;
import dst.server.export.Export;
import dst.server.export.ExportSpec;
import dst.server.net.DstServer;
import dst.server.net.ServerConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An in-process server on a real loopback socket (or Unix socket) with known client keys. */
final class SecureServer implements AutoCloseable {
    static final byte[] ALICE = ClientKey.generate();
    static final byte[] BOB = ClientKey.generate();
    static final ClientKeys KEYS = ClientKeys.none().with("alice", ALICE).with("bob", BOB);

    final DstServer server;

    private SecureServer(DstServer server) {
        this.server = server;
    }

    static SecureServer start(ServerSecurity security, String... exports) throws IOException {
        return start(security, Transport.tcp(new InetSocketAddress("127.0.0.1", 0)), exports);
    }

    static SecureServer start(ServerSecurity security, Transport transport, String... exports) throws IOException {
        List<Export> opened = new ArrayList<>();
        for (String e : exports) opened.add(Export.open(ExportSpec.parse(e)));
        ServerConfig config = ServerConfig.defaults().withSecurity(security);
        return new SecureServer(DstServer.start(opened, config, transport));
    }

    /** Keys required, nobody anonymous, no TLS. */
    static ServerSecurity keysOnly() {
        return new ServerSecurity(KEYS, false, null);
    }

    int port() {
        return server.localAddress().getPort();
    }

    ClientConfig client(String export, String identity, byte[] key) {
        return client(port(), export, identity, key);
    }

    static ClientConfig client(int port, String export, String identity, byte[] key) {
        ClientConfig.Builder c = ClientConfig.builder("127.0.0.1", port, export).connectTimeout(Duration.ofSeconds(10));
        return (identity == null ? c : c.credentials(new Credentials(identity, key))).build();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
