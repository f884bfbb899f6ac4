package dst.client.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The operator's {@code attach --on-reconnect CMD}: a shell command run when a device's connection comes back after
 * an outage, so that a RAID leg can rejoin by itself ({@code mdadm /dev/md0 --re-add "$DST_DEVICE"},
 * {@code btrfs scrub start /mnt}). It runs on its own thread, never on the serving path: its output goes to the
 * device's log, and a failing, crashing or slow command is logged and changes nothing else. Runs never overlap;
 * reconnects while one runs coalesce into one more run, with the latest environment.
 */
public final class ReconnectHook {
    private static final Logger LOG = Logger.getLogger(ReconnectHook.class.getName());

    private final String command;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "on-reconnect");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Map<String, String>> pending = new AtomicReference<>();
    private final AtomicLong runs = new AtomicLong();
    private volatile String lastOutcome = "";

    public ReconnectHook(String command) {
        if (command == null || command.isBlank()) throw new IllegalArgumentException("--on-reconnect needs a command");
        this.command = command;
    }

    public String command() {
        return command;
    }

    /** Runs finished so far. */
    public long runs() {
        return runs.get();
    }

    /** How the last finished run ended, e.g. "exit 0 after 120 ms at 2026-12-02T12:00:00Z"; empty before the first. */
    public String lastOutcome() {
        return lastOutcome;
    }

    /** Asks for a run with these variables added to the environment (DST_DEVICE, DST_NAME, ...); returns at once. */
    public void fire(Map<String, String> env) {
        if (pending.getAndSet(Map.copyOf(env)) == null) runner.execute(this::runPending);
    }

    private void runPending() {
        Map<String, String> env = pending.getAndSet(null);
        if (env != null) run(env);
    }

    private void run(Map<String, String> env) {
        long start = System.nanoTime();
        String outcome;
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", "-c", command)).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            LOG.info("on-reconnect: running " + command + " (" + env + ")");
            Process p = pb.start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) LOG.info("on-reconnect: " + line);
            }
            outcome = "exit " + p.waitFor();
        } catch (IOException e) {
            outcome = "could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        } catch (RuntimeException e) {
            outcome = "failed: " + e;
        }
        outcome += " after " + (System.nanoTime() - start) / 1_000_000 + " ms at " + Instant.now();
        if (outcome.startsWith("exit 0 ")) LOG.info("on-reconnect: " + outcome);
        else LOG.warning("on-reconnect: " + command + ": " + outcome + " (the device is served as before)");
        lastOutcome = outcome;
        runs.incrementAndGet();
    }

    /** Stops waiting runs; a running command is left to finish on its own. */
    public void close() {
        runner.shutdownNow();
    }
}
