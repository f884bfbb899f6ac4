package dst.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The machine's tools (mkfs, mount, losetup, ...) as a test sees them: run, output, exit code. */
public final class Host {
    private Host() {
    }

    /** Exit code and merged output of a finished command. */
    public record Result(int exitCode, String output) {
        public Result ok(String what) {
            if (exitCode != 0) throw new AssertionError(what + " failed with exit " + exitCode + ":\n" + output);
            return this;
        }
    }

    /**
     * Runs a command to its end (at most {@code timeoutSeconds}), stdout and stderr merged; {@code env} is added to
     * the environment (a null value removes that variable).
     */
    public static Result exec(long timeoutSeconds, List<String> cmd, java.util.Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        env.forEach((name, value) -> {
            if (value == null) pb.environment().remove(name);
            else pb.environment().put(name, value);
        });
        Process p = pb.start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
        }
        reader.join(5000);
        return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }

    public static Result exec(String... cmd) throws IOException, InterruptedException {
        return exec(120, List.of(cmd), java.util.Map.of());
    }

    /** Runs a command that must succeed; returns its output. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        return exec(cmd).ok(String.join(" ", cmd)).output().trim();
    }

    /** Skips the test, saying why, unless this is a root shell with FUSE, loop devices and the named tools. */
    public static void assumeRig(String... tools) {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (FUSE mount, loop devices, mount): run the tests as root");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse (modprobe fuse)");
        assumeTrue(Files.exists(Path.of("/dev/loop-control")), "needs loop devices (modprobe loop)");
        for (String tool : List.of("losetup", "mount", "umount")) assumeTrue(onPath(tool), "needs " + tool);
        for (String tool : tools) assumeTrue(onPath(tool), "needs " + tool + " (apt-get install e2fsprogs xfsprogs util-linux fio)");
    }

    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    /** SHA-256 of a file's content, as lower-case hex (streamed: fine for large images). */
    public static String sha256(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes really allocated to a (sparse) file. */
    public static long allocatedBytes(Path file) throws IOException, InterruptedException {
        String[] blocksAndUnit = run("stat", "-c", "%b %B", file.toString()).split(" ");
        return Long.parseLong(blocksAndUnit[0]) * Long.parseLong(blocksAndUnit[1]);
    }

    /** A line of /proc/self/mountinfo: where it is mounted and what (a device such as /dev/loop0, or a name). */
    public record Mount(String point, String source) {
    }

    /** This machine's mounts as this process sees them, from /proc/self/mountinfo. */
    public static List<Mount> mounts() throws IOException {
        List<Mount> mounts = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length < 5 || dash < 0) continue;
            String[] after = line.substring(dash + 3).split(" "); // fstype, source, options
            mounts.add(new Mount(f[4], after.length > 1 ? after[1] : ""));
        }
        return mounts;
    }

    /** True when {@code dir} is a mount point right now. */
    public static boolean isMountPoint(Path dir) throws IOException {
        String p = dir.toAbsolutePath().normalize().toString();
        return mounts().stream().anyMatch(m -> m.point().equals(p));
    }

    /**
     * Mount points of this machine that cannot be looked at: a FUSE mount whose daemon is gone, or a filesystem on a
     * loop device whose backing file lies in one ({@code stat} fails with "Transport endpoint is not connected").
     * Left by something else (a killed process, an earlier run), they make tools that check every mount fail.
     */
    public static List<String> brokenMounts() throws IOException {
        List<String> broken = new java.util.ArrayList<>();
        for (Mount m : mounts()) {
            Path backing = m.source().startsWith("/dev/loop") ? Path.of("/sys/block", m.source().substring(5), "loop", "backing_file") : null;
            if (unreachable(Path.of(m.point()))
                    || backing != null && Files.isReadable(backing) && unreachable(Path.of(Files.readString(backing).trim().replace(" (deleted)", "")))) {
                broken.add(m.point());
            }
        }
        return broken;
    }

    /** stat(2) fails with ENOTCONN: the path lies in a FUSE mount whose daemon is gone. */
    private static boolean unreachable(Path path) {
        try {
            Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return false;
        } catch (java.nio.file.FileSystemException e) {
            return "Transport endpoint is not connected".equals(e.getReason());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs a command that must succeed, in a mount namespace of its own without {@link #brokenMounts()} when the
     * machine has any (the machine's mounts are untouched): for tools such as {@code mkfs.btrfs}, which refuse to run
     * when they cannot stat every mounted filesystem ("cannot check mount status of /dev/loop1: Transport endpoint is
     * not connected", seen in CI with a dead FUSE mount left on the machine).
     */
    public static String runPastBrokenMounts(String... cmd) throws IOException, InterruptedException {
        List<String> broken = brokenMounts();
        if (broken.isEmpty()) return run(cmd);
        System.out.println("WARNING: this machine has broken mounts " + broken + " (left by another process); running " + cmd[0]
                + " in a mount namespace without them");
        List<String> wrapped = new java.util.ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "for m in \"$@\"; do shift; [ \"$m\" = -- ] && break; umount -l \"$m\" || exit 125; done; exec \"$@\"", "sh"));
        wrapped.addAll(broken);
        wrapped.add("--");
        wrapped.addAll(List.of(cmd));
        return exec(120, wrapped, java.util.Map.of()).ok(String.join(" ", cmd) + " (without the broken mounts " + broken + ")").output().trim();
    }

    /** Every loop device in use, with its {@code losetup -a} line ({@code /dev/loop0: []: (/path/of/backing)}). */
    public static java.util.Map<String, String> loopDevices() throws IOException, InterruptedException {
        java.util.Map<String, String> loops = new java.util.LinkedHashMap<>();
        for (String line : run("losetup", "-a").lines().toList()) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("/dev/loop")) loops.put(line.substring(0, colon), line);
        }
        return loops;
    }

    /** Loop devices whose backing file lies under {@code dir}, from {@code losetup -a}. */
    public static List<String> loopDevicesUnder(Path dir) throws IOException, InterruptedException {
        String prefix = dir.toAbsolutePath().normalize().toString();
        return loopDevices().entrySet().stream().filter(e -> e.getValue().contains("(" + prefix)).map(java.util.Map.Entry::getKey).toList();
    }
}
