package dst.server.net;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/** The server's sessions by id. Ids are random 64-bit numbers, never 0 (0 asks for a new session). */
final class SessionRegistry {
    private final ConcurrentHashMap<Long, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /**
     * The session to resume, when {@code id} names one of this export opened by the same identity
     * ({@code owner}, "" for anonymous); a new session otherwise.
     */
    Session resumeOrCreate(long id, String exportName, String owner) {
        if (id != 0) {
            Session s = sessions.get(id);
            if (s != null && s.exportName().equals(exportName) && s.owner().equals(owner)) return s;
        }
        while (true) {
            long fresh = random.nextLong();
            if (fresh == 0) continue;
            Session s = new Session(fresh, exportName, owner);
            if (sessions.putIfAbsent(fresh, s) == null) return s;
        }
    }

    void remove(Session s) {
        sessions.remove(s.id(), s);
    }

    Collection<Session> all() {
        return sessions.values();
    }
}
