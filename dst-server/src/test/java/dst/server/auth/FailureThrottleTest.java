package dst.server.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The back-off for addresses that keep failing to log in. */
class FailureThrottleTest {
    @Test
    void delayDoublesFromTheThirdFailureUpToFiveSecondsAndSuccessClearsIt() {
        FailureThrottle t = new FailureThrottle();
        assertEquals(Duration.ZERO, t.delay("10.0.0.1"));
        t.failed("10.0.0.1");
        t.failed("10.0.0.1");
        assertEquals(Duration.ZERO, t.delay("10.0.0.1"), "two failures are free (typos happen)");
        t.failed("10.0.0.1");
        assertEquals(Duration.ofMillis(100), t.delay("10.0.0.1"));
        t.failed("10.0.0.1");
        assertEquals(Duration.ofMillis(200), t.delay("10.0.0.1"));
        for (int i = 0; i < 40; i++) t.failed("10.0.0.1");
        assertEquals(FailureThrottle.MAX_DELAY, t.delay("10.0.0.1"));
        assertEquals(Duration.ZERO, t.delay("10.0.0.2"), "other addresses are not affected");
        t.succeeded("10.0.0.1");
        assertEquals(Duration.ZERO, t.delay("10.0.0.1"));
    }

    @Test
    void aFloodOfAddressesDoesNotGrowTheTableWithoutBound() {
        FailureThrottle t = new FailureThrottle();
        for (int i = 0; i < 3 * FailureThrottle.MAX_ADDRESSES; i++) t.failed("a" + i);
        assertEquals(Duration.ZERO, t.delay("a0"));
    }
}
