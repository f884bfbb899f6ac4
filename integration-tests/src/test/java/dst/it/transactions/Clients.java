package dst.it.transactions;

import dst.client.core.ClientConfig;

import java.time.Duration;

/** Client configurations and small helpers shared by the transaction tests. */
final class Clients {
    private Clients() {
    }

    static ClientConfig config(int port, String export, Duration ioTimeout, Duration keepalive) {
        return builder(port, export, ioTimeout, keepalive).build();
    }

    static ClientConfig.Builder builder(int port, String export, Duration ioTimeout, Duration keepalive) {
        return ClientConfig.builder("127.0.0.1", port, export).ioTimeout(ioTimeout).keepalive(keepalive)
                .reconnect(Duration.ofMillis(50), Duration.ofSeconds(1)).connectTimeout(Duration.ofSeconds(5));
    }
}
