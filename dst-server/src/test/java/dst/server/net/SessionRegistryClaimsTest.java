package dst.server.net;

import dst.protocol.Errno;
import dst.protocol.Tlv;
import dst.server.metrics.ServerMetrics;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write-claim rules of {@link SessionRegistry} (exclusive attach), on the real registry and sessions. A session
 * that was never connected counts as one whose connection just went: it holds its claim for the grace.
 */
class SessionRegistryClaimsTest {
    private static final String PEER = "10.0.0.5:41234";
    private final SessionRegistry registry = new SessionRegistry(new ServerMetrics(), Duration.ofSeconds(30), true);

    private Session open(long id, String owner, Attach attach) throws Exception {
        return registry.open(id, "d", owner, "dst", attach, PEER);
    }

    @Test
    void aHelloWithoutAttachIsAnExclusiveWriterAndAReadOnlyGrantIsAReader() {
        assertEquals(Attach.EXCLUSIVE, Attach.of(0, false), "no ATTACH must not bypass the rule");
        assertEquals(Attach.SHARED, Attach.of(Tlv.AttachFlags.SHARED, false));
        assertEquals(Attach.READ, Attach.of(Tlv.AttachFlags.SHARED, true), "granted read-only: a reader whatever it asked");
        assertEquals(Attach.READ, Attach.of(Tlv.AttachFlags.READ_ONLY, false));
    }

    @Test
    void anExclusiveWriterShutsOutEveryOtherWriterButNoReader() throws Exception {
        Session holder = open(0, "alice", Attach.EXCLUSIVE);
        SessionRegistry.BusyException e = assertThrows(SessionRegistry.BusyException.class, () -> open(0, "bob", Attach.EXCLUSIVE));
        assertEquals(Errno.EBUSY, e.errno());
        assertEquals("alice@" + PEER, e.holder());
        assertTrue(e.reason().contains("identity 'alice'") && e.reason().contains(Long.toHexString(holder.id())), e.reason());
        assertThrows(SessionRegistry.BusyException.class, () -> open(0, "bob", Attach.SHARED));
        open(0, "bob", Attach.READ);
        open(0, "", Attach.READ);
    }

    @Test
    void sharedWritersCoexistButNotWithAnExclusiveOne() throws Exception {
        open(0, "alice", Attach.SHARED);
        open(0, "bob", Attach.SHARED);
        SessionRegistry.BusyException e = assertThrows(SessionRegistry.BusyException.class, () -> open(0, "carol", Attach.EXCLUSIVE));
        assertTrue(e.reason().contains("shared read-write"), e.reason());
    }

    @Test
    void aResumeKeepsTheClaimOnlyForTheSameIdentityAndTheSameUse() throws Exception {
        Session holder = open(0, "alice", Attach.EXCLUSIVE);
        assertSame(holder, open(holder.id(), "alice", Attach.EXCLUSIVE), "the takeover of a device resumes its session");
        assertThrows(SessionRegistry.BusyException.class, () -> open(holder.id(), "mallory", Attach.EXCLUSIVE),
                "another identity presenting the id gets a new session, which is refused");
        Session reader = open(0, "alice", Attach.READ);
        assertThrows(SessionRegistry.BusyException.class, () -> open(reader.id(), "alice", Attach.EXCLUSIVE),
                "a reader's session resumed as a writer would write without a claim");
    }

    @Test
    void aReleasedSessionKeepsItsClaimWhileARequestRunsThenEndsAndIsNeverResumed() throws Exception {
        Session holder = open(0, "alice", Attach.EXCLUSIVE);
        holder.started();
        holder.release();
        assertThrows(SessionRegistry.BusyException.class, () -> open(0, "bob", Attach.EXCLUSIVE), "a write of it still runs");
        holder.finished();
        Session next = open(0, "bob", Attach.EXCLUSIVE);
        assertNotEquals(holder.id(), next.id());
        assertThrows(SessionRegistry.BusyException.class, () -> open(holder.id(), "alice", Attach.EXCLUSIVE),
                "a released session came back as a new one, and bob holds the export now");
    }

    @Test
    void aClaimLapsesAfterTheGrace() throws Exception {
        SessionRegistry noGrace = new SessionRegistry(new ServerMetrics(), Duration.ZERO, true);
        Session gone = noGrace.open(0, "d", "alice", "dst", Attach.EXCLUSIVE, PEER);
        Session next = noGrace.open(0, "d", "bob", "dst", Attach.EXCLUSIVE, PEER);
        assertNotEquals(gone.id(), next.id());
        assertNotEquals(gone.id(), noGrace.open(gone.id(), "d", "alice", "dst", Attach.READ, PEER).id(),
                "the lapsed session was dropped: presenting its id opens a new one");
    }

    @Test
    void withoutEnforcementEveryWriterGetsIn() throws Exception {
        SessionRegistry open = new SessionRegistry(new ServerMetrics(), Duration.ofSeconds(30), false);
        open.open(0, "d", "alice", "dst", Attach.EXCLUSIVE, PEER);
        open.open(0, "d", "bob", "dst", Attach.EXCLUSIVE, PEER);
    }
}
