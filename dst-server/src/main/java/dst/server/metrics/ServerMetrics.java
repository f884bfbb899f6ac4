package dst.server.metrics;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters: a {@link RequestMeter} per (export, identity), created on first use and kept for the
 * server's life (identities are bounded by the clients file, exports by the command line; anonymous clients share
 * one), and the connection-level events no request carries. Thread-safe.
 */
public final class ServerMetrics {
    /** Failed logins: a wrong key or unknown identity, an anonymous client where none is served, a rule's refusal. */
    public enum AuthFailure { KEY, ANONYMOUS, RULES }

    private final ConcurrentHashMap<String, RequestMeter> meters = new ConcurrentHashMap<>();
    final LongAdder[] authFailures = {new LongAdder(), new LongAdder(), new LongAdder()};
    final LongAdder crcErrors = new LongAdder();
    final LongAdder badFrames = new LongAdder();
    final LongAdder idleTimeouts = new LongAdder();
    final LongAdder sessionsOpened = new LongAdder();
    final LongAdder sessionsResumed = new LongAdder();

    /** The meter of {@code identity} ("" = anonymous) on {@code export}. */
    public RequestMeter meter(String export, String identity) {
        String who = identity.isEmpty() ? "anonymous" : identity;
        return meters.computeIfAbsent(export + "\u0000" + who, k -> new RequestMeter(export, who));
    }

    Collection<RequestMeter> meters() {
        return meters.values();
    }

    public void authFailed(AuthFailure why) {
        authFailures[why.ordinal()].increment();
    }

    /** A frame refused for its header or payload checksum (the connection is reset; the client resends). */
    public void crcError() {
        crcErrors.increment();
    }

    /** Any other frame that could not be accepted. */
    public void badFrame() {
        badFrames.increment();
    }

    public void idleTimeout() {
        idleTimeouts.increment();
    }

    /** A login that opened a new session ({@code resumed} false) or resumed one after a reconnect. */
    public void session(boolean resumed) {
        (resumed ? sessionsResumed : sessionsOpened).increment();
    }
}
