package dst.client.cli;

import dst.client.core.ClientConfig;
import dst.client.daemon.Daemonizer;
import dst.client.daemon.DeviceDaemon;
import dst.client.daemon.DeviceRecord;
import dst.client.daemon.ReconnectHook;
import dst.client.daemon.RunDir;
import dst.client.frontend.Frontend;
import dst.client.frontend.Frontends;
import dst.client.frontend.fuse.FuseFrontend;
import dst.client.stack.DiskStack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/** {@code dst-client attach}: make an export a local block device and print its path. */
@Command(name = "attach", mixinStandardHelpOptions = true, header = "Attach an export as a local block device; print its path.",
        description = {"Without ublk, the export becomes a FUSE file MOUNTPOINT/EXPORT attached to a loop device with direct I/O.",
                "Runs in the background (log in the run directory) unless --foreground; detach with 'dst-client detach'.",
                "The serving process never exits while its device is in use: outages of the server are ridden out inside it.",
                "Attaching --name NAME again when NAME's process died takes its device over (same /dev/ublkbN or /dev/loopN,",
                "its I/O held meanwhile): ublk by recovery, FUSE through the connection its holder process keeps (Linux 6.9+)."},
        footer = {"", "Examples:", "  dst-client attach 127.0.0.1/disk0          # prints e.g. /dev/loop0",
                "  mkfs.ext4 /dev/loop0 && mount /dev/loop0 /mnt"})
final class AttachCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TARGET",
            description = "The export to attach: [dst://]HOST[:PORT]/EXPORT, or an NBD URI (nbd://HOST[:PORT]/EXPORT, nbds://..., nbd+unix:///EXPORT?socket=PATH).")
    String target;

    @Option(names = "--name", description = "Name of the attached device in list/detach (default: the export name, made unique).")
    String name;

    @Option(names = "--frontend", defaultValue = "auto", description = "auto, fuse or ublk (default: ${DEFAULT-VALUE}).")
    String frontend;

    @Option(names = "--recover", paramLabel = "DEVID",
            description = {"Adopt ublk device /dev/ublkbDEVID whose serving process died (its I/O waits meanwhile); implies --frontend ublk.",
                    "Without it, --name NAME of a ublk device whose process died adopts that device too (what a restart by systemd does)."})
    Integer recover;

    @Option(names = "--mountpoint", paramLabel = "DIR", description = "Where the FUSE file is mounted (default: RUN-DIR/NAME/fuse).")
    Path mountPoint;

    @Option(names = "--loop", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Attach a loop device (direct I/O) to the FUSE file (default: on); --no-loop prints the file instead.")
    boolean loop;

    @Option(names = "--cache", paramLabel = "SIZE", defaultValue = "auto",
            description = {"Client write-back cache: writes are acknowledged from memory and streamed to the server; a flush "
                    + "(fsync, filesystem commit) waits until they are all on the server and durable there, like a disk's "
                    + "volatile cache. 0 = write-through. auto (default): write-through, the one mode that is safe across a client "
                    + "crash: both frontends put the kernel's whole queue on the wire, so the cache rarely pays for its memory "
                    + "(bench/README.md), and a ublk or FUSE device outlives a crashed client (taken over by the next one): cached "
                    + "writes lost in the crash would be silent corruption on a still-mounted filesystem. 'restart' flushes first: "
                    + "safe in both modes."})
    String cache;

    @Option(names = "--read-ahead", paramLabel = "SIZE", defaultValue = "4M",
            description = "After sequential reads, read this much ahead in 1 MiB requests; 0 = off (default: ${DEFAULT-VALUE}).")
    String readAhead;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = {"Serve this device's Prometheus metrics at http://HOST:PORT/metrics while attached (port 0 picks a",
                    "free one; 'status' shows the URL): requests, bytes and latency histograms per opcode, in flight,",
                    "connected, errors, reconnects, resends, timeouts, crc errors."})
    String metrics;
    @Option(names = "--fail-fast",
            description = {"Once the connection has been down for longer than --io-timeout, fail new requests with EIO at once "
                    + "(until it is back) instead of letting each wait its own deadline. For RAID legs: md stops using a leg at "
                    + "its first EIO anyway, but btrfs keeps sending to it, and every write would wait --io-timeout."})
    boolean failFast;

    @Option(names = "--on-reconnect", paramLabel = "CMD",
            description = {"Run CMD (with /bin/sh) each time the connection comes back after an outage, e.g. to let a RAID leg "
                    + "rejoin: 'mdadm /dev/md0 --re-add \"$DST_DEVICE\"' or 'btrfs scrub start /mnt'. Its environment has DST_DEVICE, "
                    + "DST_NAME, DST_SERVER, DST_EXPORT, DST_RECONNECTS and DST_OUTAGE_MS (how long the connection was down). "
                    + "Runs in the background, one at a time; output and exit status go to the log (and 'status'); a failing CMD "
                    + "changes nothing else."})
    String onReconnect;

    @Option(names = "--foreground", description = "Stay attached to the terminal; Ctrl-C detaches (refused while the device is in use).")
    boolean foreground;

    @Option(names = "--ready-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the background process to report the device (default: ${DEFAULT-VALUE}).")
    long readyTimeoutSeconds;

    /** Set by the parent when it re-executes itself in the background: the name is already claimed. */
    @Option(names = "--daemon-child", hidden = true)
    boolean daemonChild;

    /** The record of --name's device, when its process died and the device waits for a new one; else null. */
    private DeviceRecord waiting;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    RunDirOption runDirOption;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ClientConfig config = connection.config(target).toBuilder().failFast(failFast).build();
        if (failFast && config.ioTimeout().isZero()) throw new IllegalArgumentException("--fail-fast needs an --io-timeout above 0");
        RunDir runDir = runDirOption.get();
        recover = leftover(runDir);
        long predecessor = predecessorSession(runDir);
        if (predecessor != 0) config = config.toBuilder().resumeSession(predecessor).build();
        Frontends.check(frontend, adopt()); // before forking, so a bad --frontend is a usage error here
        stack(); // and a bad --cache / --read-ahead
        if (metrics != null) dst.runtime.metrics.MetricsEndpoint.parse(metrics); // and a bad --metrics
        ReconnectHook hook = onReconnect == null ? null : new ReconnectHook(onReconnect); // and an empty --on-reconnect
        String claimed = daemonChild || waiting != null ? name : runDir.claim(name != null ? name : config.localName(), name != null);
        if (!foreground) return daemonize(runDir, claimed);
        Path mnt = mountPoint != null ? mountPoint : runDir.defaultMountPoint(claimed);
        Path log = runDir.logFile(claimed);
        boolean takeOverFuse = waiting != null && "fuse".equals(waiting.get("frontend"));
        Frontend fe = takeOverFuse ? FuseFrontend.takingOver(waiting::get, log) : Frontends.create(frontend, mnt, loop, log, adopt());
        DeviceDaemon daemon = new DeviceDaemon(runDir, claimed, config, fe, fe instanceof FuseFrontend f ? f.mountPoint() : null, stack(),
                waiting, spec.root().commandLine().getParseResult().originalArgs()).metrics(metrics);
        if (hook != null) daemon.onReconnect(hook);
        try {
            daemon.run(device -> {
                System.out.println(device);
                System.out.flush();
            });
        } catch (Exception e) {
            if (waiting == null) runDir.removeDeviceDir(claimed); // else the device still waits: its record stays
            throw e;
        }
        return 0;
    }

    /** The layers --cache and --read-ahead ask for. */
    private DiskStack stack() {
        long cacheBytes = "auto".equals(cache) ? 0 : dst.runtime.cli.Sizes.parse(cache);
        if (cacheBytes < 0) throw new IllegalArgumentException("--cache must be >= 0");
        long readAheadBytes = dst.runtime.cli.Sizes.parse(readAhead);
        if (readAheadBytes < 0 || readAheadBytes > (256 << 20)) throw new IllegalArgumentException("--read-ahead must be 0 to 256M");
        return new DiskStack(cacheBytes, (int) readAheadBytes);
    }

    /**
     * A device daemon runs for months: its heap is capped (the JVM default, a quarter of RAM, let an idle-looking
     * daemon sit at ~400 MB after a benchmark; 256m measured no slower), while direct memory, where data lives
     * (cache, read-ahead, requests in flight), gets explicit room: by default it would be capped at the heap size.
     */
    private List<String> daemonJvmOptions() {
        long direct = stack().dataBytes() + (1L << 30);
        return List.of("-Xmx256m", "-XX:MaxDirectMemorySize=" + (direct >> 20) + "m");
    }

    /**
     * When {@code --name} names a device whose process died and whose frontend left the kernel device waiting
     * ({@link DeviceRecord#waiting}: a ublk device, or a FUSE device its holder keeps), attaching it again adopts that
     * device: what a supervisor restarting {@code attach --foreground --name NAME} (dst-client@.service) or
     * {@code dst-client restart} needs without knowing the device id. Sets {@link #waiting}; returns the ublk device id
     * to recover, or {@code --recover}.
     */
    private Integer leftover(RunDir runDir) throws IOException {
        if (name == null) return recover;
        Optional<DeviceRecord> dead = runDir.find(name).filter(DeviceRecord::waiting);
        if (dead.isEmpty()) return recover;
        OptionalInt devId = Frontends.leftover(dead.get().get("frontend"), dead.get().device());
        // --recover naming another device than the one this name waits with: not a takeover (the name stays taken)
        if (recover != null && (devId.isEmpty() || devId.getAsInt() != recover)) return recover;
        waiting = dead.get();
        if (!daemonChild) {
            spec.commandLine().getErr().println("dst-client: " + waiting.device() + " (" + name + ") was left by a dead dst-client (pid "
                    + waiting.pid() + "): taking it over");
        }
        return devId.isPresent() ? devId.getAsInt() : null;
    }

    /**
     * When this attach takes over a device whose process died (or handed it over), the session that process persisted
     * ({@link RunDir#sessionFile}): resuming it keeps the export's write claim instead of waiting out its grace, and the
     * server fences the dead process's connection before anything of this one runs. 0 otherwise (a new session).
     */
    private long predecessorSession(RunDir runDir) throws IOException {
        if (name == null) return 0;
        Optional<DeviceRecord> dead = runDir.find(name).filter(DeviceRecord::waiting);
        if (dead.isEmpty() || (recover != null && Frontends.leftover(dead.get().get("frontend"), dead.get().device()).orElse(-1) != recover)) return 0;
        return runDir.savedSession(name);
    }

    private OptionalInt adopt() {
        return recover == null ? OptionalInt.empty() : OptionalInt.of(recover);
    }

    private int daemonize(RunDir runDir, String claimed) throws Exception {
        List<String> args = withoutName(spec.root().commandLine().getParseResult().originalArgs());
        args.addAll(List.of("--name", claimed, "--foreground", "--daemon-child"));
        if (recover != null && args.stream().noneMatch(a -> a.startsWith("--recover"))) args.addAll(List.of("--recover", recover.toString()));
        Daemonizer.Outcome o = Daemonizer.spawn(ClientMain.class.getName(), args, daemonJvmOptions(), runDir.stateFile(claimed),
                runDir.logFile(claimed), waiting != null, Duration.ofSeconds(readyTimeoutSeconds + connection.connectTimeoutSeconds));
        if (o.ready()) {
            System.out.println(o.device());
            return 0;
        }
        if (!runDir.find(claimed).map(r -> r.processAlive()).orElse(false)) runDir.removeDeviceDir(claimed);
        spec.commandLine().getErr().println("dst-client: attach failed (log: " + runDir.logFile(claimed) + "):"
                + System.lineSeparator() + o.message());
        return o.exitCode() == 0 ? dst.runtime.cli.ExitCodes.FAILURE : o.exitCode();
    }

    /** The original arguments without {@code --name X}: the child gets the claimed name instead. */
    static List<String> withoutName(List<String> original) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            if (a.equals("--name")) {
                i++;
            } else if (!a.startsWith("--name=")) {
                out.add(a);
            }
        }
        return out;
    }
}
