package dst.client.cli;

import dst.client.daemon.DeviceRecord;
import dst.client.frontend.fuse.FuseFrontend;
import dst.client.host.DeviceUsers;
import picocli.CommandLine.Command;
import dst.runtime.json.Json;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code dst-client status}: everything known about one attached device. */
@Command(name = "status", mixinStandardHelpOptions = true, header = "Show one attached device in detail.",
        description = {"--json prints " + DeviceJson.FIELDS + " (as one element of 'list --json').",
                "",
                "--watch prints a line each second, when the device's process rewrites its record: rates (requests and " +
                "bytes per second), mean latency of the requests answered in that second (from the request to the " +
                "server's answer, resends included), errors and reconnects, until Ctrl-C (or --count lines). With --json " +
                "each line is one object: " + StatusWatch.Sample.FIELDS + " (latencies in " +
                "microseconds, null without requests of that kind; a state ending in '?' means the record was not rewritten " +
                "for 3 s). Exit 1 when the device's process is gone."},
        footer = {"", "Examples:", "  dst-client status disk0 --json | jq .counters.bytesWritten",
                "  dst-client status /dev/loop0 --watch"})
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DEVICE|NAME", description = "e.g. /dev/loop0 or disk0")
    String which;

    @Mixin
    RunDirOption runDir;

    @Option(names = "--json", description = "Print JSON (field names above).")
    boolean json;

    @Option(names = {"-w", "--watch"}, description = "Live rates and latency, refreshed each second, until Ctrl-C.")
    boolean watch;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "With --watch: stop after N lines (default: until Ctrl-C).")
    int count;

    @Override
    public Integer call() throws Exception {
        if (count < 0) throw new IllegalArgumentException("--count must be 0 or more");
        if (count > 0 && !watch) throw new IllegalArgumentException("--count goes with --watch");
        if (watch) return new StatusWatch(runDir.get(), which, System.out).run(count, json) ? 0 : 1;
        DeviceRecord r = runDir.find(which);
        if (json) {
            System.out.println(Json.pretty(DeviceJson.of(r)));
            return 0;
        }
        System.out.printf("name:        %s%n", r.name());
        System.out.printf("device:      %s%n", r.device());
        System.out.printf("state:       %s%s%n", ListCommand.state(r), r.message().isEmpty() ? "" : " (" + r.message() + ")");
        System.out.printf("server:      %s%n", r.get("server"));
        System.out.printf("export:      %s%n", ListCommand.exportInDetail(r.get("export")));
        System.out.printf("size:        %d bytes (%s), block size %s%s%n", r.number("size"), Human.bytes(r.number("size")),
                r.get("block-size"), Boolean.parseBoolean(r.get("read-only")) ? ", read-only" : "");
        if (!r.get("resize").isEmpty()) System.out.printf("resize:      %s%n", r.get("resize"));
        if (!r.get("connections").isEmpty()) System.out.printf("connections: %s up%n", r.get("connections"));
        System.out.printf("frontend:    %s%n", r.get("frontend"));
        if (!r.get("mountpoint").isEmpty()) {
            String file = r.get("export-file").isEmpty() ? r.get("export") : r.get("export-file");
            System.out.printf("fuse file:   %s/%s%n", r.get("mountpoint"), file);
        }
        if (r.device().startsWith("/dev/") && r.processAlive()) {
            String use = DeviceUsers.describeUse(Path.of(r.device()));
            System.out.printf("in use:      %s%n", use == null ? "no" : use);
        }
        System.out.printf("pid:         %d%s%n", r.pid(), r.processAlive() ? "" : " (not running)");
        System.out.printf("restarts:    %d%s%n", r.restarts(), r.restarts() == 0 ? "" : " (this daemon since " + Instant.ofEpochMilli(r.number("daemon-started")) + ")");
        if (r.get("frontend").equals("fuse")) System.out.printf("handover:    %s%n", handover(r));
        System.out.printf("since:       %s%n", Instant.ofEpochMilli(r.number("started")));
        System.out.printf("updated:     %s%n", Instant.ofEpochMilli(r.number("updated")));
        System.out.printf("log:         %s%n", r.get("log"));
        if (!r.get("metrics").isEmpty()) System.out.printf("metrics:     %s%n", r.get("metrics"));
        if (r.number("last-outage-ms") > 0) System.out.printf("last outage: %.1f s%n", r.number("last-outage-ms") / 1000.0);
        if (!r.get("on-reconnect").isEmpty()) {
            System.out.printf("on-reconnect: %s (runs %d%s)%n", r.get("on-reconnect"), r.number("on-reconnect-runs"),
                    r.get("on-reconnect-last").isEmpty() ? "" : ", last: " + r.get("on-reconnect-last"));
        }
        System.out.printf("counters:    %s%n", r.get("stats"));
        return 0;
    }

    /** Whether a new daemon can take this FUSE device over, and who holds its connection meanwhile. */
    private static String handover(DeviceRecord r) {
        if (!Boolean.parseBoolean(r.get(FuseFrontend.RESEND))) return "impossible (the kernel has no FUSE_NOTIFY_RESEND, Linux 6.9+)";
        return FuseFrontend.holder(r::get).map(h -> "possible (connection held by pid " + h.pid() + ")")
                .orElse("impossible (no holder process)");
    }
}
