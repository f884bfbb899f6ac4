package dst.it.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dst-server} and {@code dst-client} as a user runs them ({@code java -jar .../dst-*.jar ARGS}), to their end:
 * exit code and merged output. The caller's {@code DST_KEY} is never inherited, so a test sees only the key it gives.
 * For attach, detach and list in a run directory of the test's own, see {@link ClientCli}.
 */
public final class Cli {
    private static final long TIMEOUT_SECONDS = 120;

    private Cli() {
    }

    public static Host.Result server(String... args) throws IOException, InterruptedException {
        return run(Repo.serverJar(), Map.of(), TIMEOUT_SECONDS, args);
    }

    /** {@code dst-server client add NAME --clients CLIENTS --key-file KEY}, which must succeed. */
    public static void addClient(Path clients, String name, Path keyFile) throws IOException, InterruptedException {
        server("client", "add", name, "--clients", clients.toString(), "--key-file", keyFile.toString()).ok("client add " + name);
    }

    /**
     * JVM options for every dst JVM a test starts (system property {@code dst.it.cli.jvm}): the ublk guest sets C1-only
     * JIT, since its CPU is emulated and C2 compiling dominates a JVM's first minute there.
     */
    static List<String> extraJvmOptions() {
        String extra = System.getProperty("dst.it.cli.jvm", "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    /** {@code dst-client ARGS} with {@code env} added to the environment. */
    public static Host.Result client(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return client(TIMEOUT_SECONDS, env, args);
    }

    /** The same, killed after {@code timeoutSeconds}. */
    public static Host.Result client(long timeoutSeconds, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(Repo.clientJar(), env, timeoutSeconds, args);
    }

    private static Host.Result run(Path jar, Map<String, String> env, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Repo.java(), "-Xmx256m"));
        cmd.addAll(extraJvmOptions()); // device daemons inherit them
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> environment = new HashMap<>();
        environment.put("DST_KEY", null);
        environment.putAll(env);
        return Host.exec(timeoutSeconds, cmd, environment);
    }
}
