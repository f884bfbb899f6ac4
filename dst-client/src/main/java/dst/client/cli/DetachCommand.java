package dst.client.cli;

import dst.client.daemon.DeviceRecord;
import dst.client.daemon.RunDir;
import dst.client.frontend.fuse.FuseFrontend;
import dst.client.frontend.fuse.holder.Holder;
import dst.client.host.Command;
import dst.client.host.DeviceUsers;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code dst-client detach}: checks the device is unused (or, with {@code --force}, unmounts it), then asks
 * the serving process to tear down with SIGTERM and waits for it to be gone.
 */
@picocli.CommandLine.Command(name = "detach", mixinStandardHelpOptions = true, header = "Detach an attached device.",
        description = {"Refuses while the device is mounted or held by another device, unless --force, which unmounts it first.",
                "Order: loop device, FUSE mount, connection; the command returns when the serving process has exited."})
final class DetachCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DEVICE|NAME", description = "e.g. /dev/loop0 or disk0")
    String which;

    @Option(names = "--force", description = "Unmount the device's filesystems first.")
    boolean force;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the serving process to finish (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Mixin
    RunDirOption runDirOption;

    @Override
    public Integer call() throws Exception {
        RunDir runDir = runDirOption.get();
        DeviceRecord r = runDirOption.find(which);
        if (!r.processAlive()) {
            boolean gaveUp = r.waiting();
            cleanUpDead(runDir, r);
            System.out.println("removed " + r.name() + ": its process had already exited" + (gaveUp ? " (its waiting device is given up)" : ""));
            return 0;
        }
        Path device = r.device().isEmpty() ? null : Path.of(r.device());
        if (device != null && device.startsWith("/dev/")) {
            String use = DeviceUsers.describeUse(device);
            if (use != null && !force) {
                throw new DeviceInUseException(use + "; unmount it first, or use: dst-client detach --force " + which);
            }
            if (use != null) {
                for (String mnt : DeviceUsers.mountPoints(device)) Command.run("umount", mnt);
                use = DeviceUsers.describeUse(device);
                if (use != null) throw new DeviceInUseException("still " + use + " after unmounting; not detaching");
            }
        }
        ProcessHandle process = ProcessHandle.of(r.pid()).orElse(null);
        if (process != null) {
            process.destroy(); // SIGTERM: the process re-checks and tears down in order
            try {
                process.onExit().get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                String why = Files.exists(runDir.stateFile(r.name())) ? DeviceRecord.read(runDir.stateFile(r.name())).message() : "";
                throw new IOException(r.name() + " (pid " + r.pid() + ") has not finished detaching after " + timeoutSeconds + " s"
                        + (why.isEmpty() ? "" : ": " + why) + " (log: " + r.get("log") + ")");
            }
        }
        System.out.println("detached " + r.name() + (device == null ? "" : " (" + device + ")"));
        return 0;
    }

    /**
     * The process died without tearing down: undo what is left, last user first, as far as possible. A FUSE device
     * waiting for a new daemon is given up first (its holder stopped: from then on its I/O fails).
     */
    private static void cleanUpDead(RunDir runDir, DeviceRecord r) throws IOException {
        if (r.device().startsWith("/dev/loop")) {
            String use = DeviceUsers.describeUse(Path.of(r.device()));
            if (use != null && r.waiting()) {
                throw new DeviceInUseException("the process serving " + r.name() + " is gone but " + use + "; its I/O waits: serve it again"
                        + " (dst-client attach ... --name " + r.name() + " or dst-client restart " + r.name() + "), unmount, then detach");
            }
            if (use != null) throw new DeviceInUseException("the process serving " + r.name() + " is gone but " + use + "; unmount it first");
        }
        Optional<Holder> holder = FuseFrontend.holder(r::get);
        if (holder.isPresent()) holder.get().stop(); // the connection goes: I/O held in the kernel fails, so the loop device can go
        if (r.device().startsWith("/dev/loop")) {
            Path backing = Path.of("/sys/class/block", Path.of(r.device()).getFileName().toString(), "loop", "backing_file");
            String mnt = r.get("mountpoint");
            if (Files.exists(backing) && !mnt.isEmpty() && Files.readString(backing).trim().startsWith(mnt)) {
                Command.exec("losetup", "-d", r.device());
            }
        }
        String mnt = r.get("mountpoint");
        if (!mnt.isEmpty()) Command.exec("umount", "-l", mnt);
        runDir.removeDeviceDir(r.name());
    }

    /** The device is used; the message says by what and what to do. */
    static final class DeviceInUseException extends IOException {
        DeviceInUseException(String message) {
            super(message);
        }
    }
}
