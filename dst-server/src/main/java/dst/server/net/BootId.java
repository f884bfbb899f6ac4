package dst.server.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The identity of this machine's current boot, told to clients in WELCOME: a client that reconnects
 * to a different boot knows that writes acknowledged but not yet flushed may have been lost with the
 * page cache, and fails its next flush instead of pretending. The system property {@code dst.bootId}
 * overrides it, so tests can simulate a machine restart with a process restart.
 */
final class BootId {
    private static final long VALUE = read();

    private BootId() {
    }

    static long get() {
        return VALUE;
    }

    private static long read() {
        String override = System.getProperty("dst.bootId");
        if (override != null) return Long.parseLong(override);
        try {
            String id = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            long h = 1125899906842597L;
            for (int i = 0; i < id.length(); i++) h = 31 * h + id.charAt(i);
            return h == 0 ? 1 : h;
        } catch (IOException | RuntimeException e) {
            return 0; // unknown: clients cannot tell reboots apart
        }
    }
}
