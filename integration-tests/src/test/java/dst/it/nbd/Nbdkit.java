package dst.it.nbd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * nbdkit on a Unix socket in a test's directory, in the foreground, ready once its pid file exists ({@code -P}:
 * written when it listens, so no probe connection counts as a client). Closing stops it.
 */
final class Nbdkit implements AutoCloseable {
    private final Process process;
    private final Path socket;

    private Nbdkit(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /** {@code nbdkit -f --unix DIR/nbdkit.sock -P DIR/nbdkit.pid ARGS} (plugin, filters, parameters); skips without nbdkit. */
    static Nbdkit start(Path dir, String... args) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/nbdkit")), "needs nbdkit (apt-get install nbdkit; .ci/run installs it)");
        Path socket = dir.resolve("nbdkit.sock");
        Path pidFile = dir.resolve("nbdkit.pid");
        Path out = dir.resolve("nbdkit.out");
        List<String> cmd = new ArrayList<>(List.of("nbdkit", "-f", "--unix", socket.toString(), "-P", pidFile.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(pidFile) && p.isAlive() && System.nanoTime() < until) Thread.sleep(50);
        if (!Files.exists(pidFile)) p.destroyForcibly();
        assertTrue(Files.exists(pidFile), "nbdkit did not start: " + Files.readString(out));
        return new Nbdkit(p, socket);
    }

    /** The URI of its (only, default) export. */
    String uri() {
        return "nbd+unix:///?socket=" + socket;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
