package dst.server.net;

import java.time.Duration;

/**
 * Server tunables.
 *
 * @param maxRequest   largest request payload accepted (bounds per-connection memory)
 * @param ioThreads    threads that run blocking backend I/O
 * @param idleTimeout  a connection that sent nothing (not even a keepalive PING) for this long is dead
 * @param drainTimeout how long a shutdown waits for running requests
 */
public record ServerConfig(int maxRequest, int ioThreads, Duration idleTimeout, Duration drainTimeout) {
    public static ServerConfig defaults() {
        return new ServerConfig(4 * 1024 * 1024, 16, Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    public ServerConfig withIdleTimeout(Duration d) {
        return new ServerConfig(maxRequest, ioThreads, d, drainTimeout);
    }
}
