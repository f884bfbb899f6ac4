package dst.server.net;

import dst.server.auth.ServerSecurity;

import java.time.Duration;

/**
 * Server tunables.
 *
 * @param maxRequest   largest request payload accepted (bounds per-connection memory)
 * @param ioThreads    threads that run blocking backend I/O
 * @param idleTimeout  a connection that sent nothing (not even a keepalive PING) for this long is dead
 * @param drainTimeout how long a shutdown waits for running requests
 * @param security     client keys, anonymous access, TLS
 * @param maxInFlight  requests one connection may have unanswered (announced in WELCOME, enforced by
 *                     {@link InFlightLimit}): with maxRequest, the bound on what one connection can make
 *                     the server hold in memory
 * @param claimGrace   how long a read-write session keeps its write claim after its connection went (see
 *                     {@link SessionRegistry}): its client's reconnects within it find the export still theirs
 * @param exclusiveWriters enforce write claims (exclusive attach; the default, {@code --no-exclusive-writers} turns it
 *                     off): a second writer conflicting with a holder's claim is refused with EBUSY
 */
public record ServerConfig(int maxRequest, int ioThreads, Duration idleTimeout, Duration drainTimeout,
                           ServerSecurity security, int maxInFlight, Duration claimGrace,
                           boolean exclusiveWriters) {
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;

    public ServerConfig {
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        if (claimGrace == null) claimGrace = SessionRegistry.DEFAULT_CLAIM_GRACE;
        if (claimGrace.isNegative()) throw new IllegalArgumentException("claimGrace must be >= 0, got " + claimGrace);
    }

    public ServerConfig(int maxRequest, int ioThreads, Duration idleTimeout, Duration drainTimeout, ServerSecurity security,
                        int maxInFlight) {
        this(maxRequest, ioThreads, idleTimeout, drainTimeout, security, maxInFlight, null, true);
    }

    public ServerConfig(int maxRequest, int ioThreads, Duration idleTimeout, Duration drainTimeout, ServerSecurity security) {
        this(maxRequest, ioThreads, idleTimeout, drainTimeout, security, DEFAULT_MAX_IN_FLIGHT);
    }

    /** Without security settings: anonymous clients, no TLS (embedded and test servers). */
    public ServerConfig(int maxRequest, int ioThreads, Duration idleTimeout, Duration drainTimeout) {
        this(maxRequest, ioThreads, idleTimeout, drainTimeout, ServerSecurity.open());
    }

    public static ServerConfig defaults() {
        return new ServerConfig(4 * 1024 * 1024, 16, Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    public ServerConfig withIdleTimeout(Duration d) {
        return new ServerConfig(maxRequest, ioThreads, d, drainTimeout, security, maxInFlight, claimGrace, exclusiveWriters);
    }

    public ServerConfig withSecurity(ServerSecurity s) {
        return new ServerConfig(maxRequest, ioThreads, idleTimeout, drainTimeout, s, maxInFlight, claimGrace, exclusiveWriters);
    }

    public ServerConfig withMaxInFlight(int n) {
        return new ServerConfig(maxRequest, ioThreads, idleTimeout, drainTimeout, security, n, claimGrace, exclusiveWriters);
    }

    public ServerConfig withClaimGrace(Duration d) {
        return new ServerConfig(maxRequest, ioThreads, idleTimeout, drainTimeout, security, maxInFlight, d, exclusiveWriters);
    }

    public ServerConfig withExclusiveWriters(boolean on) {
        return new ServerConfig(maxRequest, ioThreads, idleTimeout, drainTimeout, security, maxInFlight, claimGrace, on);
    }
}
