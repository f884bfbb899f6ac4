package dst.client.cli;

import dst.client.daemon.DeviceRecord;
import picocli.CommandLine.Command;
import dst.runtime.json.Json;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code dst-client list}: the attached devices, one line each. */
@Command(name = "list", mixinStandardHelpOptions = true, header = "List attached devices.",
        description = {"STATE is connected, reconnecting, or failing (no connection for longer than --io-timeout: I/O fails " +
                "with EIO until the server is back) while the device is served; starting, detaching, handing-over " +
                "(dst-client restart), waiting (its process is gone, the device is still there, its I/O held: attach it again " +
                "with --name NAME, or detach it), or dead (process and device gone: 'dst-client detach NAME' cleans up). " +
                "PID is the serving process, RESTARTS how often another one took the device over. EXPORT is (default) for an NBD " +
                "server's default export (nbd://HOST:PORT/ with no name). Counters are at most a second old.",
                "",
                "--json prints an array with one object per device: " + DeviceJson.FIELDS + ". " +
                "Sizes and byte counts are bytes, since/updated milliseconds since the epoch, *Nanos summed latencies."})
final class ListCommand implements Callable<Integer> {
    @Mixin
    RunDirOption runDir;

    @Option(names = "--json", description = "Print JSON (field names above) instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<DeviceRecord> records = runDir.get().records();
        if (json) {
            System.out.println(Json.pretty(records.stream().map(DeviceJson::of).toList()));
            return 0;
        }
        String format = "%-12s %-12s %-5s %-22s %-12s %9s %-12s %7s %8s %s%n";
        System.out.printf(format, "NAME", "DEVICE", "FRONT", "SERVER", "EXPORT", "SIZE", "STATE", "PID", "RESTARTS", "I/O");
        for (DeviceRecord r : records) {
            String state = state(r);
            System.out.printf(format, r.name(), dash(r.device()), dash(r.get("frontend")), r.get("server"), export(r.get("export")),
                    r.number("size") > 0 ? Human.bytes(r.number("size")) : "-", state,
                    state.equals("waiting") || state.equals("dead") ? "-" : Long.toString(r.pid()), r.restarts(), io(r));
        }
        return 0;
    }

    /** What an operator wants to know first: is it served, and is the link up. */
    static String state(DeviceRecord r) {
        if (!r.processAlive()) return r.waiting() ? "waiting" : "dead";
        return switch (r.status()) {
            case READY -> r.get("connection");
            case STARTING -> "starting";
            case DETACHING -> "detaching";
            case HANDING_OVER -> "handing-over";
            case FAILED -> "failed";
        };
    }

    /** The export name, or {@code (default)} for an NBD server's default export (its name is empty). */
    static String export(String name) {
        return name.isEmpty() ? "(default)" : name;
    }

    /** {@link #export}, saying what {@code (default)} means: for {@code status} and {@code info}. */
    static String exportInDetail(String name) {
        return name.isEmpty() ? export(name) + " (the server's default export)" : name;
    }

    static String io(DeviceRecord r) {
        return String.format("reads %d (%s) writes %d (%s) errors %d reconnects %d", r.number("reads"), Human.bytes(r.number("bytes-read")),
                r.number("writes"), Human.bytes(r.number("bytes-written")), r.number("errors"), r.number("reconnects"));
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}
