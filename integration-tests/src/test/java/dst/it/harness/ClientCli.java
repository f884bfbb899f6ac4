package dst.it.harness;


import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dst-client} as a user runs it ({@code java -jar dst-client/target/dst-client.jar}), with its run
 * directory pointed at a test's own directory ({@code DST_RUN_DIR}) so tests never see each other's devices
 * or the machine's.
 */
public final class ClientCli {
    private static final Pattern COUNTER = Pattern.compile("([a-z-]+)=(\\d+)");
    private final Path runDir;

    public ClientCli(Path runDir) {
        this.runDir = runDir;
    }

    public Path runDir() {
        return runDir;
    }

    public Host.Result exec(String... args) throws IOException, InterruptedException {
        return Cli.client(Map.of("DST_RUN_DIR", runDir.toString()), args);
    }

    /** Runs a command that must succeed within {@code timeoutSeconds}; returns its output. */
    public String run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        return Cli.client(timeoutSeconds, Map.of("DST_RUN_DIR", runDir.toString()), args).ok("dst-client " + String.join(" ", args)).output().trim();
    }

    /** Runs a command that must succeed; returns its output. */
    public String run(String... args) throws IOException, InterruptedException {
        return exec(args).ok("dst-client " + String.join(" ", args)).output().trim();
    }

    /** {@code attach} in the background; returns the device it printed. */
    public Path attach(String target, String... more) throws IOException, InterruptedException {
        // A generous connect timeout unless the test sets one: a just-started server JVM on a busy 2-core machine can
        // take seconds to answer.
        List<String> args = new ArrayList<>(List.of("attach", target));
        if (List.of(more).stream().noneMatch(a -> a.startsWith("--connect-timeout"))) args.addAll(List.of("--connect-timeout", "30"));
        args.addAll(List.of(more));
        String out = run(args.toArray(String[]::new));
        String last = out.lines().reduce((a, b) -> b).orElse("");
        return Path.of(last.trim());
    }

    /**
     * The I/O counters {@code dst-client status NAME} shows ({@code counters: state=CONNECTED reads=3 (12288 B) ...
     * reconnects=1 resent=2 ...}), by name; the state is left out. The daemon rewrites them once a second.
     */
    public Map<String, Long> counters(String name) throws IOException, InterruptedException {
        String line = run("status", name).lines().filter(l -> l.startsWith("counters:")).findFirst()
                .orElseThrow(() -> new AssertionError("dst-client status " + name + " shows no counters"));
        Map<String, Long> counters = new LinkedHashMap<>();
        Matcher m = COUNTER.matcher(line);
        while (m.find()) counters.put(m.group(1), Long.parseLong(m.group(2)));
        return counters;
    }

    /** Best-effort teardown after a test: force-detach whatever is still attached here. */
    public void detachAll() throws IOException, InterruptedException {
        for (String line : run("list").lines().skip(1).toList()) {
            String name = line.split("\\s+")[0];
            Host.Result r = exec("detach", "--force", name);
            if (r.exitCode() != 0) System.err.println("cleanup: detach " + name + ": " + r.output());
        }
    }
}
