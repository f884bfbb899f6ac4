package dst.it.mirror;

import dst.it.harness.Host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** btrfs-progs as the mirror tests use them: scrub counters and per-device error counters, parsed. */
final class Btrfs {
    private Btrfs() {
    }

    /** {@code key: value} lines of {@code btrfs scrub start -B -R} (or of its saved output) as numbers. */
    static Map<String, Long> scrubCounters(String output) {
        Map<String, Long> counters = new HashMap<>();
        for (String line : output.lines().toList()) {
            String[] kv = line.trim().split(":\\s+");
            if (kv.length == 2 && kv[1].matches("\\d+")) counters.put(kv[0], Long.parseLong(kv[1]));
        }
        if (!counters.containsKey("corrected_errors")) throw new AssertionError("not the output of a finished scrub -R:\n" + output);
        return counters;
    }

    /**
     * Scrubs in the foreground; returns the raw counters. Exit 3 is btrfs-progs' "errors were found and corrected":
     * expected here, so only the counters decide.
     */
    static Map<String, Long> scrub(Path mountPoint) throws IOException, InterruptedException {
        Host.Result r = Host.exec(600, java.util.List.of("btrfs", "scrub", "start", "-B", "-R", mountPoint.toString()), Map.of());
        return scrubCounters(r.output());
    }

    /** {@code btrfs device stats} counter {@code name} (e.g. write_io_errs) of {@code device}. */
    static long deviceStat(Path mountPoint, Path device, String name) throws IOException, InterruptedException {
        String prefix = "[" + device + "]." + name;
        return Host.run("btrfs", "device", "stats", mountPoint.toString()).lines().filter(l -> l.startsWith(prefix + " "))
                .map(l -> Long.parseLong(l.substring(prefix.length()).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in btrfs device stats"));
    }
}
