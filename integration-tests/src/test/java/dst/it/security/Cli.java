package dst.it.security;

import dst.it.harness.Repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code dst-server} or {@code dst-client} as a real process, with an environment of its own. */
final class Cli {
    record Result(int exit, String output) {
    }

    private Cli() {
    }

    static Result server(String... args) throws IOException, InterruptedException {
        return run(Repo.serverJar(), Map.of(), args);
    }

    static Result client(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(Repo.clientJar(), env, args);
    }

    private static Result run(Path jar, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Repo.java(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("DST_KEY");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
