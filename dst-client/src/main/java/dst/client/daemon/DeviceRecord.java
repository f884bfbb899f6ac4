package dst.client.daemon;

import dst.client.core.DeviceStats;
import dst.client.frontend.Frontends;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * What {@code list}, {@code status} and {@code detach} know about one attached device: a small properties
 * file written only by the process serving the device (at start, on every change of state, and once a
 * second with fresh counters), always by atomic rename, so readers never see half a file.
 */
public final class DeviceRecord {
    /** Where the serving process is in its life. */
    public enum Status { STARTING, READY, DETACHING, HANDING_OVER, FAILED }

    private final Properties p;

    private DeviceRecord(Properties p) {
        this.p = p;
    }

    public static DeviceRecord create(String name, long pid) {
        DeviceRecord r = new DeviceRecord(new Properties());
        r.set("name", name).set("pid", Long.toString(pid)).status(Status.STARTING, "");
        return r;
    }

    public static DeviceRecord read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return new DeviceRecord(p);
    }

    /** Writes the record to {@code file} atomically. */
    public synchronized void write(Path file) throws IOException {
        set("updated", Long.toString(System.currentTimeMillis()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp)) {
            p.store(out, "dst-client attached device (written by pid " + pid() + ")");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public synchronized DeviceRecord set(String key, String value) {
        p.setProperty(key, value == null ? "" : value);
        return this;
    }

    public synchronized DeviceRecord status(Status s, String message) {
        return set("status", s.name().toLowerCase()).set("message", message);
    }

    /** Copies the live counters in. */
    public synchronized DeviceRecord stats(DeviceStats s) {
        set("connection", s.state().name().toLowerCase());
        set("reads", Long.toString(s.reads.sum()));
        set("writes", Long.toString(s.writes.sum()));
        set("bytes-read", Long.toString(s.bytesRead.sum()));
        set("bytes-written", Long.toString(s.bytesWritten.sum()));
        set("flushes", Long.toString(s.flushes.sum()));
        set("trims", Long.toString(s.trims.sum()));
        set("errors", Long.toString(s.errors.sum()));
        set("reconnects", Long.toString(s.reconnects.sum()));
        set("resent", Long.toString(s.resent.sum()));
        set("timed-out", Long.toString(s.timedOut.sum()));
        set("crc-errors", Long.toString(s.crcErrors.sum()));
        set("peak-in-flight", Integer.toString(s.peakInFlight()));
        set("connections", s.connected() + "/" + s.connections());
        // latency sums: 'status --watch' divides their growth by the growth of the counts above
        set("read-nanos", Long.toString(s.readLatency.sumNanos()));
        set("write-nanos", Long.toString(s.writeLatency.sumNanos()));
        set("flush-nanos", Long.toString(s.flushLatency.sumNanos()));
        return set("stats", s.summary());
    }

    public synchronized java.util.Set<String> keys() {
        return p.stringPropertyNames();
    }

    public synchronized String get(String key) {
        return p.getProperty(key, "");
    }

    public long number(String key) {
        try {
            return Long.parseLong(get(key));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public String name() {
        return get("name");
    }

    public long pid() {
        return number("pid");
    }

    public String device() {
        return get("device");
    }

    public Status status() {
        try {
            return Status.valueOf(get("status").toUpperCase());
        } catch (IllegalArgumentException e) {
            return Status.FAILED;
        }
    }

    public String message() {
        return get("message");
    }

    /** How many times another daemon took this device over (after a crash or a {@code restart}). */
    public long restarts() {
        return number("restarts");
    }

    /** The daemon is gone but its device is still there, waiting (I/O held) for a new daemon to take it over. */
    public boolean waiting() {
        return !processAlive() && Frontends.waiting(this::get);
    }

    /** True while the process that wrote this record runs. */
    public boolean processAlive() {
        long pid = pid();
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
