package dst.client.cli;

import dst.client.daemon.DeviceRecord;
import dst.client.daemon.RunDir;
import dst.runtime.json.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * {@code status NAME --watch}: one line per refresh of the device's record (its process rewrites it once a second)
 * with the rates and mean latencies since the previous one, computed from the growth of the record's counters over
 * the growth of its {@code updated} time. Runs until Ctrl-C, or for {@code count} lines.
 */
final class StatusWatch {
    /** Polling the record for its next rewrite; it is rewritten once a second. */
    private static final long POLL_MILLIS = 100;
    /** A record not rewritten for this long belongs to a stuck or gone process: the line says so, rates 0. */
    private static final long STALE_MILLIS = 3000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    /**
     * One line of {@code --watch --json} (field names documented in --help): per-second rates and mean latencies in
     * microseconds over the interval (null without requests of that kind), then the totals.
     */
    record Sample(long time, String state, double readsPerSecond, double readBytesPerSecond, double writesPerSecond,
                  double writeBytesPerSecond, double flushesPerSecond, Double readLatencyMicros, Double writeLatencyMicros,
                  Double flushLatencyMicros, long bytesRead, long bytesWritten, long errors, long reconnects, long timedOut) {
        static final String FIELDS = "{time, state, readsPerSecond, readBytesPerSecond, writesPerSecond, writeBytesPerSecond, "
                + "flushesPerSecond, readLatencyMicros, writeLatencyMicros, flushLatencyMicros, bytesRead, bytesWritten, errors, "
                + "reconnects, timedOut}";
    }

    private final RunDir runDir;
    private final String which;
    private final PrintStream out;

    StatusWatch(RunDir runDir, String which, PrintStream out) {
        this.runDir = runDir;
        this.which = which;
        this.out = out;
    }

    /** Prints {@code count} lines (0: until interrupted); false when the device's process went away. */
    boolean run(int count, boolean json) throws IOException, InterruptedException {
        DeviceRecord last = find();
        if (!json) out.printf("%-8s %-12s %10s %8s %9s %10s %8s %9s %7s %9s %6s %6s%n", "TIME", "STATE", "READ", "R/S", "R-LAT",
                "WRITE", "W/S", "W-LAT", "FLUSH/S", "F-LAT", "ERRORS", "RECONN");
        for (int n = 0; count == 0 || n < count; n++) {
            DeviceRecord next = awaitRewrite(last);
            Sample s = sample(last, next);
            if (json) out.println(Json.line(s));
            else out.printf("%-8s %-12s %10s %8.0f %9s %10s %8.0f %9s %7.0f %9s %6d %6d%n", TIME.format(Instant.ofEpochMilli(s.time())),
                    s.state(), Human.bytes((long) s.readBytesPerSecond()) + "/s", s.readsPerSecond(), micros(s.readLatencyMicros()),
                    Human.bytes((long) s.writeBytesPerSecond()) + "/s", s.writesPerSecond(), micros(s.writeLatencyMicros()),
                    s.flushesPerSecond(), micros(s.flushLatencyMicros()), s.errors(), s.reconnects());
            out.flush();
            if (!next.processAlive()) return false;
            last = next;
        }
        return true;
    }

    private DeviceRecord find() throws IOException {
        return runDir.find(which).orElseThrow(() -> new IllegalArgumentException("no attached device '" + which + "' (see dst-client list)"));
    }

    /** The record once its process has rewritten it after {@code last}, or as it is after STALE_MILLIS. */
    private DeviceRecord awaitRewrite(DeviceRecord last) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + STALE_MILLIS;
        while (true) {
            Thread.sleep(POLL_MILLIS);
            DeviceRecord r = find();
            if (r.number("updated") > last.number("updated") || System.currentTimeMillis() > deadline || !r.processAlive()) return r;
        }
    }

    static Sample sample(DeviceRecord a, DeviceRecord b) {
        double seconds = Math.max(b.number("updated") - a.number("updated"), 1) / 1000.0;
        boolean fresh = b.number("updated") > a.number("updated");
        return new Sample(b.number("updated"), fresh ? ListCommand.state(b) : ListCommand.state(b) + "?",
                rate(a, b, "reads", seconds), rate(a, b, "bytes-read", seconds), rate(a, b, "writes", seconds),
                rate(a, b, "bytes-written", seconds), rate(a, b, "flushes", seconds), mean(a, b, "read-nanos", "reads"),
                mean(a, b, "write-nanos", "writes"), mean(a, b, "flush-nanos", "flushes"), b.number("bytes-read"),
                b.number("bytes-written"), b.number("errors"), b.number("reconnects"), b.number("timed-out"));
    }

    private static double rate(DeviceRecord a, DeviceRecord b, String key, double seconds) {
        return Math.max(0, b.number(key) - a.number(key)) / seconds;
    }

    /** Mean latency in µs of the requests answered between a and b, or null when none was. */
    private static Double mean(DeviceRecord a, DeviceRecord b, String nanosKey, String countKey) {
        long n = b.number(countKey) - a.number(countKey);
        if (n <= 0) return null;
        return (b.number(nanosKey) - a.number(nanosKey)) / 1000.0 / n;
    }

    private static String micros(Double us) {
        if (us == null) return "-";
        return us >= 1000 ? String.format("%.1f ms", us / 1000) : String.format("%.0f us", us);
    }
}
