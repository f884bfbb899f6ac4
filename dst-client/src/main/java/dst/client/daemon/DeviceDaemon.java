package dst.client.daemon;

import dst.client.core.BlockDevice;
import dst.client.core.ClientConfig;
import dst.client.frontend.Frontend;
import dst.client.host.DeviceUsers;
import dst.client.stack.DiskStack;
import dst.runtime.metrics.MetricsEndpoint;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *   <li>teardown goes last user first: loop device, FUSE mount, connection, then the record.</li>
 * </ul>
 * The record under the run directory is rewritten once a second with the connection state and counters,
 * which is how {@code list} and {@code status} see a daemon's insides without talking to it.
 */
public final class DeviceDaemon {
    private static final Logger LOG = Logger.getLogger(DeviceDaemon.class.getName());
    private static final long PUBLISH_INTERVAL_MS = 1000;

    private final RunDir runDir;
    private final String name;
    private final ClientConfig config;
    private final Frontend frontend;
    private final Path stateFile;
    private final DeviceRecord record;
    private final Object wakeup = new Object();
    private volatile String stopRequestedBy;
    private final DiskStack stack;
    private Path device;
    private String metricsAddress;

    /** @param stack the layers on the connection (write-back cache, read-ahead) */
    public DeviceDaemon(RunDir runDir, String name, ClientConfig config, Frontend frontend, Path mountPoint, DiskStack stack) {
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
                .set("started", Long.toString(System.currentTimeMillis()));
    }

    /** Also serve this device's Prometheus metrics at {@code http://address/metrics} while it is attached. */
    public DeviceDaemon metrics(String address) {
        this.metricsAddress = address;
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
        record.set("device", device.toString())
                .set("export-file", disk.info().name()) // the FUSE file's name: an NBD export name may be empty or hold '/'
                .set("size", Long.toString(disk.info().size()))
                .set("block-size", Integer.toString(disk.info().blockSize()))
                .set("read-only", Boolean.toString(disk.info().readOnly()))
                .stats(disk.stats())
                .status(DeviceRecord.Status.READY, "");
        record.write(stateFile);
        for (String sig : new String[]{"TERM", "INT", "HUP"}) {
            Signal.handle(new Signal(sig), s -> requestStop("SIG" + s.getName()));
        }
        LOG.info(name + ": " + config.target() + " attached as " + device + " (pid " + ProcessHandle.current().pid() + ")");
        onReady.accept(device);
        serve(disk);
        if (metrics != null) metrics.close();
        disk.close();
        runDir.removeDeviceDir(name);
        LOG.info(name + ": detached " + device);
    }

    /** Asks the serving loop to detach; safe from a signal handler thread. */
    public void requestStop(String by) {
        stopRequestedBy = by;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    private void serve(BlockDevice disk) throws InterruptedException {
        while (true) {
            synchronized (wakeup) {
                if (stopRequestedBy == null) wakeup.wait(PUBLISH_INTERVAL_MS);
            }
            String by = stopRequestedBy;
            if (by != null && tryDetach(by)) return;
            record.stats(disk.stats());
            publish();
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
