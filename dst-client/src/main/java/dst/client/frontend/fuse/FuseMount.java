package dst.client.frontend.fuse;

import dst.client.host.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One mounted {@link ExportFileSystem}: libfuse's loop runs on a thread of its own for as long as the mount
 * exists. jnr-fuse's non-blocking mount only guesses that the mount worked (it waits 2 s); here the mount is
 * known to exist once it shows up in {@code /proc/self/mountinfo}, and known to be gone once the libfuse loop
 * has returned.
 */
final class FuseMount {
    private static final Logger LOG = Logger.getLogger(FuseMount.class.getName());
    private static final long MOUNT_TIMEOUT_MS = 15_000;

    private final ExportFileSystem fs;
    private final Path mountPoint;
    private final Thread loop;
    private final CompletableFuture<Void> ended;
    private volatile boolean unmounting;

    private FuseMount(ExportFileSystem fs, Path mountPoint, Thread loop, CompletableFuture<Void> ended) {
        this.fs = fs;
        this.mountPoint = mountPoint;
        this.loop = loop;
        this.ended = ended;
    }

    /**
     * Mounts {@code fs} on {@code mountPoint} (an existing empty directory) with libfuse {@code args}
     * (e.g. {@code -s -o big_writes}) and returns once the kernel has the mount.
     */
    static FuseMount mount(ExportFileSystem fs, Path mountPoint, List<String> args) throws IOException {
        Path mnt = mountPoint.toAbsolutePath().normalize();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread loop = new Thread(() -> {
            try {
                fs.mount(mnt, true, false, args.toArray(String[]::new));
                ended.complete(null);
            } catch (Throwable t) {
                ended.completeExceptionally(t);
            }
        }, "dst-fuse-loop");
        loop.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOUNT_TIMEOUT_MS);
        while (!isMounted(mnt)) {
            if (ended.isDone()) {
                String why = ended.isCompletedExceptionally() ? ended.handle((v, e) -> rootMessage(e)).join() : "libfuse returned at once";
                throw new IOException("FUSE mount on " + mnt + " failed: " + why + " (is /dev/fuse there and libfuse2 installed?)");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("FUSE mount on " + mnt + " did not appear within " + MOUNT_TIMEOUT_MS + " ms");
            }
            sleep(10);
        }
        FuseMount m = new FuseMount(fs, mnt, loop, ended);
        ended.whenComplete((v, e) -> {
            if (!m.unmounting) {
                LOG.severe("the FUSE mount " + mnt + " went away while in service (unmounted from outside?): its loop device now fails"
                        + " every request. Recover: umount the filesystem on it, then dst-client detach it.");
            }
        });
        return m;
    }

    Path mountPoint() {
        return mountPoint;
    }

    /** Unmounts (not lazily: fails while the file is still open, e.g. by a loop device) and waits for libfuse to stop. */
    void unmount() throws IOException {
        unmounting = true;
        if (isMounted(mountPoint)) {
            Command.Result r = Command.exec("fusermount", "-u", mountPoint.toString());
            if (r.exitCode() != 0 && isMounted(mountPoint)) {
                Command.run("umount", mountPoint.toString());
            }
        }
        fs.forgetMount();
        try {
            ended.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("libfuse loop on " + mountPoint + " did not end cleanly: " + rootMessage(e));
        }
        if (loop.isAlive()) LOG.warning("libfuse loop thread still running after unmounting " + mountPoint);
    }

    /** True when {@code mnt} is a mount point of this process's mount namespace. */
    static boolean isMounted(Path mnt) throws IOException {
        String p = mnt.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(p)) return true;
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
