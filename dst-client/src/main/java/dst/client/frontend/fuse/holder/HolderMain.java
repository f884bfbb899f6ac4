package dst.client.frontend.fuse.holder;

import dst.nativebridge.NativeException;
import dst.nativebridge.fuse.FuseDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code HolderMain DAEMON_PID FD MOUNTPOINT}: copies descriptor FD (the FUSE connection mounted on MOUNTPOINT)
 * from process DAEMON_PID, prints {@code holding N} (its own number for the copy) on stdout, then does nothing but
 * hold it: it never reads or writes the connection, so it cannot take a request from the daemons. It exits on
 * SIGTERM ({@code detach}) or once MOUNTPOINT is no longer mounted; either way the kernel then drops the connection
 * when no daemon holds it either.
 */
public final class HolderMain {
    private static final long CHECK_MS = 2000;

    private HolderMain() {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        if (args.length != 3) {
            System.err.println("usage: HolderMain DAEMON_PID FD MOUNTPOINT");
            System.exit(2);
        }
        Path mountPoint = Path.of(args[2]);
        FuseDevice fuse;
        try {
            fuse = FuseDevice.takeFrom(Long.parseLong(args[0]), Integer.parseInt(args[1]), mountPoint);
        } catch (NativeException e) {
            System.err.println("dst FUSE holder: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("holding " + fuse.descriptor());
        System.out.close(); // the daemon read it; nothing else ever goes there
        while (mounted(mountPoint)) Thread.sleep(CHECK_MS);
        System.err.println("dst FUSE holder (pid " + ProcessHandle.current().pid() + "): " + mountPoint + " is no longer mounted; exiting");
        fuse.close();
    }

    /** Field 5 of /proc/self/mountinfo is the mount point (spaces escaped as \040, as mountinfo does). */
    static boolean mounted(Path mountPoint) throws IOException {
        String p = mountPoint.toString().replace(" ", "\\040");
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(p)) return true;
        }
        return false;
    }
}
