package dst.client.frontend.fuse;

import dst.client.host.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A loop device over a file, made and removed with {@code losetup}. Always with direct I/O: without it
 * the loop device reads through the FUSE file's page cache, which goes stale when the remote changes
 * and makes every benchmark measure memory instead of the network.
 */
final class LoopDevice {
    private final Path device;

    private LoopDevice(Path device) {
        this.device = device;
    }

    /** Attaches {@code file} to the first free loop device; its sector size is the export's block size. */
    static LoopDevice attach(Path file, boolean readOnly, int sectorSize) throws IOException {
        String out = readOnly
                ? Command.run("losetup", "--find", "--show", "--direct-io=on", "--sector-size", Integer.toString(sectorSize), "--read-only", file.toString())
                : Command.run("losetup", "--find", "--show", "--direct-io=on", "--sector-size", Integer.toString(sectorSize), file.toString());
        if (!out.startsWith("/dev/loop")) throw new IOException("losetup printed '" + out + "' instead of a loop device");
        LoopDevice loop = new LoopDevice(Path.of(out.lines().findFirst().orElseThrow()));
        String dio = loop.sysfs("dio");
        if (dio != null && !dio.equals("1")) {
            loop.detach(Duration.ofSeconds(5));
            throw new IOException("the kernel refused direct I/O on " + loop.device + " over " + file + ": refusing a cached loop device");
        }
        return loop;
    }

    /** The loop device {@code device} of a previous daemon, checked to be still bound to {@code file}. */
    static LoopDevice existing(Path device, Path file) throws IOException {
        LoopDevice loop = new LoopDevice(device);
        String backing = loop.sysfs("backing_file");
        if (!file.toString().equals(backing)) {
            throw new IOException(device + " is no longer the loop device of " + file + " (backing file: " + backing + ")");
        }
        return loop;
    }

    Path path() {
        return device;
    }

    /**
     * Detaches the device and waits until the kernel has let go of the file. {@code losetup -d} on a device
     * that is still open only marks it for removal on last close, so "released" is checked, not assumed.
     *
     * @throws IOException when the device is still held open after {@code wait}
     */
    void detach(Duration wait) throws IOException {
        if (!released()) {
            Command.Result r = Command.exec("losetup", "-d", device.toString());
            if (r.exitCode() != 0 && !released()) {
                throw new IOException("losetup -d " + device + " failed: " + (r.stderr() + " " + r.stdout()).trim());
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (!released()) {
            if (System.nanoTime() > deadline) {
                throw new IOException(device + " is still open by some process: the kernel will release it on last close");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /** True once the kernel no longer binds the device to a file. */
    boolean released() throws IOException {
        return sysfs("backing_file") == null;
    }

    private String sysfs(String attribute) throws IOException {
        Path p = Path.of("/sys/class/block", device.getFileName().toString(), "loop", attribute);
        try {
            return Files.readString(p).trim();
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }
}
