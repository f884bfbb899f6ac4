package dst.client.daemon;

import dst.client.core.BlockDevice;
import dst.client.core.ClientConfig;
import dst.client.core.DeviceStats;
import dst.client.frontend.Frontend;
import dst.client.host.DeviceUsers;
import dst.client.stack.DiskStack;
import dst.runtime.metrics.MetricsEndpoint;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The process that serves one attached device, from connect to detach. Its one rule: <b>it never exits
 * while its kernel device is in use</b> — a FUSE-backed loop device whose process is gone fails every
 * request and makes the filesystem on it abort, with no way to re-attach. So:
 * <ul>
 *   <li>server outages are ridden out inside the process (the client library reconnects and resends);</li>
 *   <li>SIGTERM, SIGINT and SIGHUP only <i>request</i> a detach, which is refused (loudly, in the log and the
 *       record) while the device is mounted or held, and which waits while it is merely open;</li>
 *   <li>teardown goes last user first: loop device, FUSE mount, connection, then the record;</li>
 *   <li>SIGUSR1 hands the device over ({@code dst-client restart}): the frontend stops answering and waits for
 *       what is in flight, the connection is flushed, the record says so, and the process exits leaving the
 *       device in place, its I/O waiting for the next daemon (FUSE: its holder keeps the connection).</li>
 * </ul>
 * The record under the run directory is rewritten once a second with the connection state and counters,
 * which is how {@code list} and {@code status} see a daemon's insides without talking to it.
 */
public final class DeviceDaemon {
    private static final Logger LOG = Logger.getLogger(DeviceDaemon.class.getName());
    private static final long PUBLISH_INTERVAL_MS = 1000;
    private static final long HANDOVER_FLUSH_SECONDS = 60;

    private final RunDir runDir;
    private final String name;
    private final ClientConfig config;
    private final Frontend frontend;
    private final Path stateFile;
    private final DeviceRecord record;
    private final Object wakeup = new Object();
    private volatile String stopRequestedBy;
    private volatile boolean handOverRequested;
    private final DiskStack stack;
    private ReconnectHook onReconnect;
    private long reconnectsSeen;
    private Path device;
    private String metricsAddress;
    private long sessionSaved;

    /**
     * @param stack    the layers on the connection (write-back cache, read-ahead)
     * @param previous the record of the daemon whose device this one takes over, or null for a new device
     * @param args     the command line that starts a daemon like this one ({@code restart} runs it again)
     */
    public DeviceDaemon(RunDir runDir, String name, ClientConfig config, Frontend frontend, Path mountPoint, DiskStack stack,
                        DeviceRecord previous, java.util.List<String> args) {
        this.runDir = runDir;
        this.name = name;
        this.stack = stack;
        this.config = config;
        this.frontend = frontend;
        this.stateFile = runDir.stateFile(name);
        this.record = DeviceRecord.create(name, ProcessHandle.current().pid())
                .set("frontend", frontend.name())
                .set("server", config.server())
                .set("export", config.export())
                .set("mountpoint", mountPoint == null ? "" : mountPoint.toString())
                .set("log", runDir.logFile(name).toString())
                .set("cache", Long.toString(stack.cacheBytes()))
                .set("read-ahead", Integer.toString(stack.readAheadBytes()))
                .set("started", Long.toString(System.currentTimeMillis()))
                .set("daemon-started", Long.toString(System.currentTimeMillis()))
                .set("args", String.join("\n", args))
                .set("jvm", String.join("\n", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()))
                .set("restarts", "0");
        if (previous != null) {
            // Until this daemon serves, its record must still say how to reach the waiting device.
            for (String key : previous.keys()) {
                if (record.get(key).isEmpty() || key.equals("started") || key.equals("device")) record.set(key, previous.get(key));
            }
            record.set("restarts", Long.toString(previous.restarts() + 1)).status(DeviceRecord.Status.STARTING, "");
        }
    }

    /** Also serve this device's Prometheus metrics at {@code http://address/metrics} while it is attached. */
    public DeviceDaemon metrics(String address) {
        this.metricsAddress = address;
        return this;
    }

    /** Runs {@code hook} each time the connection comes back after an outage ({@code attach --on-reconnect}). */
    public DeviceDaemon onReconnect(ReconnectHook hook) {
        this.onReconnect = hook;
        record.set("on-reconnect", hook.command());
        return this;
    }

    /**
     * Connects, starts the frontend, reports the device to {@code onReady}, then serves it until a detach
     * request succeeds. Throws (after cleaning up what it set up) when attaching fails.
     */
    public void run(Consumer<Path> onReady) throws Exception {
        Files.createDirectories(stateFile.getParent());
        record.write(stateFile);
        BlockDevice disk = stack.open(config);
        MetricsEndpoint metrics = null;
        try {
            saveSession(disk.stats());
            if (metricsAddress != null) {
                metrics = MetricsEndpoint.start(metricsAddress, () -> DeviceMetricsText.render(name, config.export(), disk.stats()));
                record.set("metrics", metrics.url());
            }
            device = frontend.start(disk);
        } catch (Exception e) {
            if (metrics != null) metrics.close();
            disk.close();
            throw e;
        }
        disk.onResize(this::grow);
        record.set("device", device.toString())
                .set("export-file", disk.info().name()) // the FUSE file's name: an NBD export name may be empty or hold '/'
                .set("size", Long.toString(disk.info().size()))
                .set("block-size", Integer.toString(disk.info().blockSize()))
                .set("read-only", Boolean.toString(disk.info().readOnly()))
                .stats(disk.stats())
                .status(DeviceRecord.Status.READY, "");
        frontend.state().forEach(record::set);
        record.write(stateFile);
        for (String sig : new String[]{"TERM", "INT", "HUP"}) {
            Signal.handle(new Signal(sig), s -> requestStop("SIG" + s.getName()));
        }
        Signal.handle(new Signal("USR1"), s -> requestHandOver());
        LOG.info(name + ": " + config.target() + " attached as " + device + " (pid " + ProcessHandle.current().pid() + ")");
        onReady.accept(device);
        boolean handedOver;
        try {
            handedOver = serve(disk);
        } finally {
            if (onReconnect != null) onReconnect.close();
            if (metrics != null) metrics.close();
        }
        if (handedOver) {
            LOG.info(name + ": handed " + device + " over; exiting, the device stays");
            return; // not closed: with ublk the kernel may still hand requests to the queues until the process is gone
        }
        disk.close();
        runDir.removeDeviceDir(name);
        LOG.info(name + ": detached " + device);
    }

    /** The export grew (online resize): the frontend grows the kernel device; the record says both sizes. */
    private synchronized void grow(long newSize) {
        record.set("size", Long.toString(newSize));
        try {
            long deviceSize = frontend.grow(newSize);
            record.set("device-size", Long.toString(deviceSize)).set("resize", "");
            LOG.warning(name + ": export grew to " + newSize + " bytes; " + device + " grew with it");
        } catch (IOException e) {
            String msg = "export grew to " + newSize + " bytes but " + device + " did not: " + e.getMessage();
            record.set("resize", msg);
            LOG.severe(name + ": " + msg);
        }
        publish();
    }

    /** Asks the serving loop to detach; safe from a signal handler thread. */
    public void requestStop(String by) {
        stopRequestedBy = by;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    /** Asks the serving loop to hand the device over to a next daemon and exit; safe from a signal handler thread. */
    public void requestHandOver() {
        handOverRequested = true;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    /** @return true when the device was handed over, false when it was detached */
    private boolean serve(BlockDevice disk) throws InterruptedException {
        while (true) {
            synchronized (wakeup) {
                if (stopRequestedBy == null && !handOverRequested) wakeup.wait(PUBLISH_INTERVAL_MS);
            }
            if (handOverRequested && handOver(disk)) return true;
            String by = stopRequestedBy;
            if (by != null && tryDetach(by)) return false;
            record.stats(disk.stats());
            noticeReconnect(disk.stats());
            saveSession(disk.stats());
            publish();
        }
    }

    /** Seen on the once-a-second tick: late by at most a second, which a RAID re-add or a scrub does not mind. */
    private void noticeReconnect(DeviceStats stats) {
        if (onReconnect != null) {
            record.set("on-reconnect-runs", Long.toString(onReconnect.runs())).set("on-reconnect-last", onReconnect.lastOutcome());
        }
        long reconnects = stats.reconnects.sum();
        if (reconnects == reconnectsSeen) return;
        reconnectsSeen = reconnects;
        record.set("last-outage-ms", Long.toString(stats.lastOutageMillis()));
        if (onReconnect == null) return;
        LOG.info(name + ": connection back after " + stats.lastOutageMillis() + " ms: running --on-reconnect");
        onReconnect.fire(Map.of("DST_NAME", name, "DST_DEVICE", device.toString(), "DST_SERVER", config.server(),
                "DST_EXPORT", config.export(), "DST_RECONNECTS", Long.toString(reconnects),
                "DST_OUTAGE_MS", Long.toString(stats.lastOutageMillis())));
    }

    /**
     * The frontend stops answering and drains, then every acknowledged write is flushed (a write-back cache's too).
     * False (and the device keeps being served) when the frontend cannot hand over or the flush fails.
     */
    private boolean handOver(BlockDevice disk) throws InterruptedException {
        handOverRequested = false;
        long t0 = System.nanoTime();
        record.status(DeviceRecord.Status.HANDING_OVER, "restart requested (SIGUSR1)");
        publish();
        try {
            frontend.handOver();
        } catch (IOException e) {
            String msg = "restart refused: " + e.getMessage();
            LOG.severe(msg);
            record.status(DeviceRecord.Status.READY, msg);
            publish();
            return false;
        }
        try {
            disk.flush().get(HANDOVER_FLUSH_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // A write-back cache's writes would die with this process: it stays, and serves again.
            String msg = "restart refused: the flush before handing over failed (" + e + "); serving on";
            LOG.severe(msg);
            try {
                frontend.resume();
            } catch (IOException r) {
                LOG.severe("cannot resume serving: " + r.getMessage());
            }
            record.status(DeviceRecord.Status.READY, msg);
            publish();
            return false;
        }
        saveSession(disk.stats());
        record.stats(disk.stats()).status(DeviceRecord.Status.HANDING_OVER, "handed over by pid " + ProcessHandle.current().pid()
                + " after " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms; waiting for the next daemon");
        publish();
        return true;
    }

    /**
     * Keeps the session id the device's successor resumes ({@link RunDir#sessionFile}) current: it changes only when a
     * reconnect got a new session (server restarted), seen here within a second.
     */
    private void saveSession(DeviceStats stats) {
        long id = stats.session();
        if (id == 0 || id == sessionSaved) return;
        try {
            runDir.saveSession(name, id);
            sessionSaved = id;
        } catch (IOException e) {
            LOG.warning("cannot write " + runDir.sessionFile(name) + " (a process taking this device over will wait out its write claim): " + e.getMessage());
        }
    }

    /** One detach attempt; false (and the device keeps being served) when something still uses it. */
    private boolean tryDetach(String by) {
        try {
            String use = device.startsWith("/dev/") ? DeviceUsers.describeUse(device) : null;
            if (use != null) {
                stopRequestedBy = null;
                String msg = "detach (" + by + ") refused: " + use + "; unmount it first (or: dst-client detach --force " + name + ")";
                LOG.severe(msg);
                record.status(DeviceRecord.Status.READY, msg);
                publish();
                return false;
            }
            record.status(DeviceRecord.Status.DETACHING, "detach requested by " + by);
            publish();
            frontend.stop();
            return true;
        } catch (IOException e) {
            // Typically: the loop device is still open (not mounted) by some process. It is marked for removal on
            // its last close; until then keep serving it, and retry every second.
            String msg = "cannot finish detaching yet: " + e.getMessage() + "; still serving " + device + ", retrying";
            LOG.severe(msg);
            record.status(DeviceRecord.Status.DETACHING, msg);
            publish();
            return false;
        }
    }

    private void publish() {
        try {
            record.write(stateFile);
        } catch (IOException e) {
            LOG.warning("cannot write " + stateFile + ": " + e.getMessage());
        }
    }
}
