package dst.it.harness;


import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code dst-client} as a user runs it ({@code java -jar dst-client/target/dst-client.jar}), with its run
 * directory pointed at a test's own directory ({@code DST_RUN_DIR}) so tests never see each other's devices
 * or the machine's.
 */
public final class ClientCli {
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

    /** Runs a command that must succeed; returns its output. */
    public String run(String... args) throws IOException, InterruptedException {
        return exec(args).ok("dst-client " + String.join(" ", args)).output().trim();
    }

    /** {@code attach} in the background; returns the device it printed. */
    public Path attach(String target, String... more) throws IOException, InterruptedException {
        // A generous connect timeout: a just-started server JVM on a busy 2-core machine can take seconds to answer.
        List<String> args = new ArrayList<>(List.of("attach", target, "--connect-timeout", "30"));
        args.addAll(List.of(more));
        String out = run(args.toArray(String[]::new));
        String last = out.lines().reduce((a, b) -> b).orElse("");
        return Path.of(last.trim());
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
