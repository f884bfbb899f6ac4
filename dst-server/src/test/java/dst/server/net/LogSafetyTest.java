package dst.server.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What peers send can end up in the log: it must not forge lines nor flood it. */
class LogSafetyTest {
    @Test
    void peerTextCannotForgeLogLines() {
        assertEquals("alice?2026-11-25 INFO fake?", ServerHandshakeHandler.printable("alice\n2026-11-25 INFO fake\r"));
        assertEquals("d0 ü", ServerHandshakeHandler.printable("d0 ü"));
    }

    @Test
    void aPeerGetsAFewLinesAMinuteThenOneNote() {
        LogLimiter l = new LogLimiter();
        for (int i = 0; i < LogLimiter.PER_WINDOW; i++) assertEquals("m", l.admit("10.0.0.9", "m"));
        assertEquals("m (more from 10.0.0.9 are not logged for a minute)", l.admit("10.0.0.9", "m"));
        assertNull(l.admit("10.0.0.9", "m"));
        assertEquals("m", l.admit("10.0.0.10", "m"), "other peers are not affected");
    }
}
