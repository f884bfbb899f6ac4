package dst.client.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system tool (losetup, fusermount, umount) and returns its output, or fails with an IOException
 * quoting the command and what it printed: these tools say exactly what went wrong, so their words are
 * passed on to the user rather than replaced by ours.
 */
public final class Command {
    private static final long TIMEOUT_SECONDS = 60;

    private Command() {
    }

    /** Runs {@code argv}; returns its stdout, trimmed. Throws when it fails or exits non-zero. */
    public static String run(String... argv) throws IOException {
        Result r = exec(argv);
        if (r.exitCode != 0) {
            String said = (r.stderr + " " + r.stdout).trim();
            throw new IOException(String.join(" ", argv) + " failed (exit " + r.exitCode + ")" + (said.isEmpty() ? "" : ": " + said));
        }
        return r.stdout.trim();
    }

    /** Runs {@code argv} and returns what happened, whatever its exit code. */
    public static Result exec(String... argv) throws IOException {
        Process p = new ProcessBuilder(List.of(argv)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            // Both outputs are small; read stderr on the side so neither pipe can fill up and block the tool.
            StringBuilder err = new StringBuilder();
            Thread errReader = new Thread(() -> err.append(readAll(p.getErrorStream())), "read-" + argv[0]);
            errReader.setDaemon(true);
            errReader.start();
            String out = readAll(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            errReader.join(1000);
            return new Result(p.exitValue(), out, err.toString().trim());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", argv) + " interrupted", e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Exit code and outputs of a finished tool. */
    public record Result(int exitCode, String stdout, String stderr) {
    }
}
