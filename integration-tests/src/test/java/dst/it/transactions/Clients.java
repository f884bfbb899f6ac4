package dst.it.transactions;

import dst.client.core.ClientConfig;

import java.time.Duration;

/** Client configurations and small helpers shared by the transaction tests. */
final class Clients {
    private Clients() {
    }

    static ClientConfig config(int port, String export, Duration ioTimeout, Duration keepalive) {
        ClientConfig c = ClientConfig.of("127.0.0.1", port, export).withIoTimeout(ioTimeout).withKeepalive(keepalive)
                .withReconnect(Duration.ofMillis(50), Duration.ofSeconds(1));
        return new ClientConfig(c.host(), c.port(), c.export(), c.crc(), c.ioTimeout(), Duration.ofSeconds(5), c.keepalive(),
                c.reconnectMin(), c.reconnectMax(), c.maxQueuedBytes(), c.maxRequest());
    }
}
