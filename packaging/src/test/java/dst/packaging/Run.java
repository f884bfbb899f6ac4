package dst.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion (stdout and stderr merged) and keeps what it printed: tests read both. */
record Run(List<String> command, int exitCode, String output) {
    static Run of(String... command) throws IOException, InterruptedException {
        return in(null, Map.of(), command);
    }

    /** Runs {@code command} in {@code dir} (null: here), with {@code env} replacing the whole environment when not empty. */
    static Run in(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) pb.directory(dir.toFile());
        if (!env.isEmpty()) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return new Run(List.of(command), p.exitValue(), out);
    }

    /** This run, after checking it exited 0 (else the assertion message has the command and its output). */
    Run ok() {
        if (exitCode != 0) throw new AssertionError(this.toString());
        return this;
    }

    static boolean available(String program) {
        try {
            return of("sh", "-c", "command -v " + program).exitCode == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " -> exit " + exitCode + "\n" + output;
    }
}
