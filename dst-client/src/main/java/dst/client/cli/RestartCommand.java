package dst.client.cli;

import dst.client.daemon.Daemonizer;
import dst.client.daemon.DeviceRecord;
import dst.client.daemon.RunDir;
import dst.client.frontend.fuse.FuseFrontend;
import dst.client.host.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code dst-client restart}: replaces the process serving a device by a new one (this installation's jar: an
 * upgrade), the device staying as it is, mounted. The old process is asked with SIGUSR1 to hand over (it stops
 * answering, waits for what the server has, flushes, exits); then a new one is started the way the old one was and
 * takes the device over, as {@code attach --name NAME} does after a crash.
 */
@picocli.CommandLine.Command(name = "restart", mixinStandardHelpOptions = true,
        header = "Replace the process serving a device (e.g. after an upgrade) without unmounting.",
        description = {"The device (/dev/loopN or /dev/ublkbN) and the filesystem on it stay; I/O pauses while the processes change.",
                "FUSE needs Linux 6.9+ (FUSE_NOTIFY_RESEND); ublk a recoverable device (the default). A waiting device",
                "(its process died) is taken over at once. Devices run as dst-client@NAME are restarted by systemd instead."})
final class RestartCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DEVICE|NAME", description = "e.g. /dev/loop0 or disk0")
    String which;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to wait for the old process to hand over and for the new one to serve (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Mixin
    RunDirOption runDirOption;

    @Override
    public Integer call() throws Exception {
        RunDir runDir = runDirOption.get();
        DeviceRecord r = runDirOption.find(which);
        List<String> args = daemonArgs(r);
        long t0 = System.nanoTime();
        if (r.processAlive()) {
            if (r.get("frontend").equals("fuse") && FuseFrontend.holder(r::get).isEmpty()) {
                throw new IOException(r.name() + " cannot be restarted: " + (Boolean.parseBoolean(r.get(FuseFrontend.RESEND))
                        ? "nothing holds its FUSE connection (see its log: " + r.get("log") + ")" : "this kernel has no FUSE_NOTIFY_RESEND (Linux 6.9+)"));
            }
            handOver(runDir, r);
        } else if (!r.waiting()) {
            throw new IOException(r.name() + " cannot be restarted: its process and its device are gone (dst-client detach " + r.name() + ")");
        }
        long handedOver = System.nanoTime();
        Daemonizer.Outcome o = Daemonizer.spawn(ClientMain.class.getName(), args, List.of(r.get("jvm").split("\n")),
                runDir.stateFile(r.name()), runDir.logFile(r.name()), true, Duration.ofSeconds(timeoutSeconds));
        if (!o.ready()) {
            throw new IOException("the new process did not take " + r.name() + " over (its device waits; log: " + r.get("log") + "): " + o.message());
        }
        DeviceRecord now = runDir.find(r.name()).orElseThrow();
        System.out.printf("restarted %s: %s served by pid %d (was %d); I/O paused %d ms (old process out after %d ms)%n", r.name(), o.device(),
                now.pid(), r.pid(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), TimeUnit.NANOSECONDS.toMillis(handedOver - t0));
        return 0;
    }

    /** SIGUSR1, then waits for the process to exit: it refuses (and keeps serving) when it cannot hand over. */
    private void handOver(RunDir runDir, DeviceRecord r) throws Exception {
        ProcessHandle old = ProcessHandle.of(r.pid()).orElseThrow();
        Command.run("kill", "-USR1", Long.toString(r.pid()));
        try {
            old.onExit().get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            String why = runDir.find(r.name()).map(DeviceRecord::message).orElse("");
            throw new IOException(r.name() + " (pid " + r.pid() + ") did not hand over within " + timeoutSeconds + " s" + (why.isEmpty() ? "" : ": " + why));
        }
        DeviceRecord after = runDir.find(r.name()).orElseThrow(() -> new IOException(r.name() + " was detached meanwhile"));
        if (after.status() != DeviceRecord.Status.HANDING_OVER || !after.waiting()) {
            throw new IOException(r.name() + " (pid " + r.pid() + ") exited without handing over: " + after.message());
        }
    }

    /** The old process's command line, as a background daemon child (the ublk device id is found again by name). */
    private static List<String> daemonArgs(DeviceRecord r) {
        List<String> out = new ArrayList<>();
        List<String> args = AttachCommand.withoutName(List.of(r.get("args").split("\n")));
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--recover")) i++;
            else if (!args.get(i).startsWith("--recover=") && !args.get(i).isEmpty()) out.add(args.get(i));
        }
        out.addAll(List.of("--name", r.name()));
        if (!out.contains("attach")) throw new IllegalArgumentException(r.name() + "'s record does not say how it was started (attached by an older dst-client?)");
        if (!out.contains("--foreground")) out.add("--foreground");
        if (!out.contains("--daemon-child")) out.add("--daemon-child");
        return out;
    }
}
