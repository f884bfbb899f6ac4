package dst.server.net;

import dst.server.metrics.ServerMetrics;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's sessions by id. Ids are random 64-bit numbers, never 0 (0 asks for a new session).
 * Sessions whose client went away are kept for {@link #LINGER} so that it can resume them, but no
 * longer, and at most {@link #MAX_SESSIONS} are kept: a flood of short connections cannot grow the
 * table without bound (a session still serving, or with requests running, is never dropped).
 */
public final class SessionRegistry {
    static final Duration LINGER = Duration.ofMinutes(10);
    static final int MAX_SESSIONS = 4096;

    private final ConcurrentHashMap<Long, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ServerMetrics metrics;

    /** A registry whose sessions count into {@code metrics}. */
    public SessionRegistry(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    /** A registry with metrics of its own (embedded and test servers). */
    public SessionRegistry() {
        this(new ServerMetrics());
    }

    /** Where the sessions, and the handshakes that open them, count. */
    public ServerMetrics metrics() {
        return metrics;
    }

    /**
     * The session to resume, when {@code id} names one of this export opened by the same identity
     * ({@code owner}, "" for anonymous); a new session otherwise.
     */
    public Session resumeOrCreate(long id, String exportName, String owner) {
        return resumeOrCreate(id, exportName, owner, "dst");
    }

    /** As {@link #resumeOrCreate(long, String, String)}, a new session recording its front door ({@code protocol}). */
    public Session resumeOrCreate(long id, String exportName, String owner, String protocol) {
        if (id != 0) {
            Session s = sessions.get(id);
            if (s != null && s.exportName().equals(exportName) && s.owner().equals(owner)) return s;
        }
        if (sessions.size() >= MAX_SESSIONS) prune();
        while (true) {
            long fresh = random.nextLong();
            if (fresh == 0) continue;
            Session s = new Session(fresh, exportName, owner, protocol, metrics.meter(exportName, owner));
            if (sessions.putIfAbsent(fresh, s) == null) return s;
        }
    }

    /** Forgets abandoned sessions: those gone for LINGER, or, when the table is still full, every one gone now. */
    private synchronized void prune() {
        long now = System.nanoTime();
        sessions.values().removeIf(s -> s.abandonedBefore(now - LINGER.toNanos()));
        if (sessions.size() >= MAX_SESSIONS) sessions.values().removeIf(s -> s.abandonedBefore(now));
    }

    int size() {
        return sessions.size();
    }

    public void remove(Session s) {
        sessions.remove(s.id(), s);
    }

    public Collection<Session> all() {
        return sessions.values();
    }
}
