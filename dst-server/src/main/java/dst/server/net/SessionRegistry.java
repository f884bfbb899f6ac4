package dst.server.net;

import dst.protocol.DstException;
import dst.protocol.Errno;
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
 *
 * <p>Write claims (exclusive attach): a new session that writes must not meet a writer it conflicts with
 * ({@link Attach#conflictsWith}): an exclusive writer excludes every other writer, shared writers coexist, readers
 * never count. The claim is the session's, not its connection's, so a client resuming its session keeps it; it lapses
 * {@code claimGrace} after the session's last connection went with nothing running, and the first conflicting
 * attach after that drops the lapsed session (its client, if it ever comes back, gets a new one and must claim anew).
 */
public final class SessionRegistry {
    static final Duration LINGER = Duration.ofMinutes(10);
    static final int MAX_SESSIONS = 4096;
    public static final Duration DEFAULT_CLAIM_GRACE = Duration.ofSeconds(30);

    private final ConcurrentHashMap<Long, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ServerMetrics metrics;
    private final long claimGraceNanos;
    private final boolean enforceClaims;

    /**
     * A registry whose sessions count into {@code metrics}; with {@code enforceClaims} write claims are enforced and kept
     * {@code claimGrace} after a writer left, without it every writer gets in (claims are recorded, never refused).
     */
    public SessionRegistry(ServerMetrics metrics, Duration claimGrace, boolean enforceClaims) {
        this.metrics = metrics;
        this.claimGraceNanos = claimGrace.toNanos();
        this.enforceClaims = enforceClaims;
    }

    /** A registry with metrics of its own, claims enforced with the default grace (embedded and test servers). */
    public SessionRegistry() {
        this(new ServerMetrics(), DEFAULT_CLAIM_GRACE, true);
    }

    /** Where the sessions, and the handshakes that open them, count. */
    public ServerMetrics metrics() {
        return metrics;
    }

    /**
     * The session to resume, when {@code id} names one of this export opened by the same identity ({@code owner},
     * "" for anonymous) attached the same way: it keeps its claim, whatever else attached meanwhile. That is also how a
     * client process hands its device to its successor (restart, FUSE handover, ublk recovery): the successor presents
     * the session id its predecessor persisted, and the fence of a resume ({@link Session#takeOver}) retires the old
     * connection before anything of the new one runs. Otherwise a new session attached as
     * {@code attach}, from {@code peer}; {@code protocol} "dst" (resumable) or "nbd" (a session per connection).
     *
     * @throws DstException EBUSY, naming the holder, when a writer holds a claim the new session conflicts with
     */
    public synchronized Session open(long id, String exportName, String owner, String protocol, Attach attach, String peer)
            throws DstException {
        if (id != 0) {
            Session s = sessions.get(id);
            // the same use too: a reader's session resumed as a writer would write without ever having claimed
            if (s != null && s.exportName().equals(exportName) && s.owner().equals(owner) && s.attach() == attach
                    && !s.released()) return s;
        }
        Session holder = holder(exportName, attach);
        if (holder != null) throw busy(exportName, attach, holder);
        if (sessions.size() >= MAX_SESSIONS) prune();
        while (true) {
            long fresh = random.nextLong();
            if (fresh == 0) continue;
            Session s = new Session(fresh, exportName, owner, protocol, metrics.meter(exportName, owner), attach, peer);
            if (sessions.putIfAbsent(fresh, s) == null) return s;
        }
    }

    /**
     * A session whose claim on {@code exportName} a session attached as {@code attach} would conflict with, or null.
     * Conflicting sessions whose claim lapsed are dropped on the way.
     */
    public synchronized Session holder(String exportName, Attach attach) {
        if (!enforceClaims || !attach.writes()) return null;
        long now = System.nanoTime();
        Session found = null;
        for (Session s : sessions.values()) {
            if (!s.exportName().equals(exportName) || !attach.conflictsWith(s.attach())) continue;
            if (s.holdsClaim(now, claimGraceNanos)) {
                if (found == null) found = s;
            } else if (s.abandonedBefore(now)) {
                sessions.remove(s.id(), s); // its claim lapsed with it
            }
        }
        return found;
    }

    private DstException busy(String exportName, Attach attach, Session holder) {
        long gone = holder.detachedFor(System.nanoTime());
        String state = gone == 0 ? "" : " (disconnected " + Duration.ofNanos(gone).toSeconds() + " s ago; its claim lapses "
                + Duration.ofNanos(claimGraceNanos).toSeconds() + " s after it left unless it reconnects)";
        String how = attach == Attach.SHARED && holder.attach() == Attach.EXCLUSIVE ? "exclusively" : holder.attach().describe();
        return new BusyException("export '" + exportName + "' is attached " + how + " by " + holder.holderDescription()
                + ", session " + Long.toHexString(holder.id()) + state + "; attach read-only (--read-only), or use --shared on "
                + "every client of a cluster filesystem", holder.owner() + "@" + holder.peer());
    }

    /** EBUSY from {@link #open}: also says who holds the claim ({@code identity@address}, for the ERROR's HOLDER). */
    public static final class BusyException extends DstException {
        private final String holder;

        BusyException(String message, String holder) {
            super(Errno.EBUSY, message);
            this.holder = holder;
        }

        public String holder() {
            return holder;
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
