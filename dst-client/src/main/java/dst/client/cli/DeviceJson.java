package dst.client.cli;

import dst.client.daemon.DeviceRecord;

/**
 * One attached device as {@code list --json} and {@code status --json} print it. The component names are the JSON
 * field names, documented in both commands' --help: keep them stable (add fields, never rename). Sizes and byte
 * counts are bytes, times are milliseconds since the epoch, latencies nanoseconds.
 */
record DeviceJson(String name, String device, String frontend, String server, String export, long size, int blockSize,
                  boolean readOnly, String state, String message, long pid, boolean running, String mountpoint, String log,
                  String metrics, long since, long updated, Counters counters) {
    /** What the device did since it was attached. */
    record Counters(long reads, long writes, long flushes, long trims, long bytesRead, long bytesWritten, long errors,
                    long reconnects, long resent, long timedOut, long crcErrors, long peakInFlight, long readNanos,
                    long writeNanos, long flushNanos) {
    }

    /** The help text's field list (one place, shown by list and status). */
    static final String FIELDS = "{name, device, frontend, server, export, size, blockSize, readOnly, state, message, pid, "
            + "running, mountpoint, log, metrics (URL or empty), since, updated, counters: {reads, writes, flushes, trims, bytesRead, bytesWritten, "
            + "errors, reconnects, resent, timedOut, crcErrors, peakInFlight, readNanos, writeNanos, flushNanos}}";

    static DeviceJson of(DeviceRecord r) {
        Counters c = new Counters(r.number("reads"), r.number("writes"), r.number("flushes"), r.number("trims"),
                r.number("bytes-read"), r.number("bytes-written"), r.number("errors"), r.number("reconnects"), r.number("resent"),
                r.number("timed-out"), r.number("crc-errors"), r.number("peak-in-flight"), r.number("read-nanos"),
                r.number("write-nanos"), r.number("flush-nanos"));
        return new DeviceJson(r.name(), r.device(), r.get("frontend"), r.get("server"), r.get("export"), r.number("size"),
                (int) r.number("block-size"), Boolean.parseBoolean(r.get("read-only")), ListCommand.state(r), r.message(), r.pid(),
                r.processAlive(), r.get("mountpoint"), r.get("log"), r.get("metrics"), r.number("started"), r.number("updated"), c);
    }
}
