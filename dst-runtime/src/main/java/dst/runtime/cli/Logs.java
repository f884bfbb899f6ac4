package dst.runtime.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One-line log format on stderr, shared by both programs: {@code 2026-11-25 14:00:00.123 INFO  message}.
 * Installs a LogManager that survives JVM shutdown: the JDK's own one resets (silences) every logger
 * in a shutdown hook, which would swallow exactly the messages of a graceful SIGTERM shutdown.
 */
public final class Logs {
    private Logs() {
    }

    /** A LogManager whose reset() at JVM shutdown does nothing. */
    public static final class KeepAliveManager extends LogManager {
        private volatile boolean configured;

        @Override
        public void reset() {
            if (!configured) super.reset();
        }

        void configured() {
            configured = true;
        }
    }

    /** Must run before the first Logger is created: call it first thing in {@code main}. */
    public static void install() {
        System.setProperty("java.util.logging.manager", KeepAliveManager.class.getName());
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$-7s %5$s%6$s%n");
    }

    public static void setup(boolean verbose) {
        LogManager manager = LogManager.getLogManager();
        manager.reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler h = new ConsoleHandler();
        h.setFormatter(new SimpleFormatter());
        Level level = verbose ? Level.FINE : Level.INFO;
        h.setLevel(level);
        root.addHandler(h);
        root.setLevel(Level.INFO);
        Logger.getLogger("dst").setLevel(level);
        if (manager instanceof KeepAliveManager k) k.configured();
    }
}
