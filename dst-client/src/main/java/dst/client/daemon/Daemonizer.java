package dst.client.daemon;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts {@code attach} in the background the only way a JVM can: it starts this program again, in a new
 * session ({@code setsid}), with stdin from /dev/null and output to the device's log file, then waits until
 * the child's record says it is ready (or the child dies) and reports that.
 */
public final class Daemonizer {
    /** How the child came out of its start. */
    public record Outcome(boolean ready, String device, int exitCode, String message) {
    }

    private Daemonizer() {
    }

    /**
     * {@code inherited}, preceded by those {@code defaults} it does not set itself ({@code -Xmx...}/{@code -Xms...}
     * by their first four characters, {@code -XX:Name=...} by name).
     */
    static List<String> jvmOptions(List<String> defaults, List<String> inherited) {
        List<String> options = new ArrayList<>();
        for (String option : defaults) {
            int eq = option.indexOf('=');
            String name = option.startsWith("-XX:") && eq > 0 ? option.substring(0, eq + 1) : option.substring(0, Math.min(4, option.length()));
            if (inherited.stream().noneMatch(a -> a.startsWith(name))) options.add(option);
        }
        options.addAll(inherited);
        return options;
    }

    /**
     * Starts {@code mainClass args} in the background and waits up to {@code timeout} for its record.
     *
     * @param jvmDefaults JVM options for the child unless this JVM was given the same option (e.g. {@code -Xmx256m}
     *                    is dropped when this JVM runs with some {@code -Xmx}): the user's DST_JAVA_OPTS win
     * @param stateFile   the record the child writes
     * @param log         where the child's stdout and stderr go (truncated, or appended to with {@code appendLog}: a
     *                    takeover keeps the story of the daemons before it)
     */
    public static Outcome spawn(String mainClass, List<String> args, List<String> jvmDefaults, Path stateFile, Path log,
                                boolean appendLog, Duration timeout) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute()) cmd.add("setsid");
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions(jvmDefaults, ManagementFactory.getRuntimeMXBean().getInputArguments()));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        Files.createDirectories(log.getParent());
        Process child = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(appendLog ? ProcessBuilder.Redirect.appendTo(log.toFile()) : ProcessBuilder.Redirect.to(log.toFile()))
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(stateFile)) {
                try {
                    DeviceRecord r = DeviceRecord.read(stateFile);
                    if (r.pid() == child.pid() && r.status() == DeviceRecord.Status.READY) {
                        return new Outcome(true, r.device(), 0, "");
                    }
                } catch (IOException e) {
                    // replaced while reading: look again
                }
            }
            if (!child.isAlive()) {
                return new Outcome(false, "", child.exitValue(), lastLines(log, 5));
            }
            if (System.nanoTime() > deadline) {
                child.destroy();
                return new Outcome(false, "", dst.runtime.cli.ExitCodes.FAILURE,
                        "not ready after " + timeout.toSeconds() + " s; stopped it. Last words: " + lastLines(log, 5));
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the device", e);
            }
        }
    }

    private static String lastLines(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - n), lines.size())).trim();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
