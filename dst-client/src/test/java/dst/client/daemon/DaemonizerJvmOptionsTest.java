package dst.client.daemon;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The device daemon's JVM gets dst's defaults only where the user's own options (DST_JAVA_OPTS) say nothing. */
class DaemonizerJvmOptionsTest {
    private static final List<String> DEFAULTS = List.of("-Xmx256m", "-XX:MaxDirectMemorySize=1024m");

    @Test
    void defaultsComeFirstWhenNothingIsSet() {
        assertEquals(List.of("-Xmx256m", "-XX:MaxDirectMemorySize=1024m", "-Dx=1"), Daemonizer.jvmOptions(DEFAULTS, List.of("-Dx=1")));
    }

    @Test
    void theUsersHeapAndDirectMemoryWin() {
        assertEquals(List.of("-XX:MaxDirectMemorySize=1024m", "-Xmx2g"), Daemonizer.jvmOptions(DEFAULTS, List.of("-Xmx2g")));
        assertEquals(List.of("-Xmx256m", "-XX:MaxDirectMemorySize=8g"), Daemonizer.jvmOptions(DEFAULTS, List.of("-XX:MaxDirectMemorySize=8g")));
    }

    @Test
    void anotherXxOptionDoesNotCount() {
        assertEquals(List.of("-Xmx256m", "-XX:MaxDirectMemorySize=1024m", "-XX:+UseSerialGC", "-Xms64m"),
                Daemonizer.jvmOptions(DEFAULTS, List.of("-XX:+UseSerialGC", "-Xms64m")));
    }
}
