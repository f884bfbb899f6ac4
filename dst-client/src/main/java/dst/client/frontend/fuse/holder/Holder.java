package dst.client.frontend.fuse.holder;

import dst.nativebridge.fuse.FuseDevice;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running {@link HolderMain}: its pid and its number for the FUSE descriptor, which is all a new daemon needs to
 * copy the connection ({@link FuseDevice#takeFrom}).
 */
public record Holder(long pid, int fd) {
    /** The holder is a JVM too: its start is slow on a loaded machine, and nothing waits on it but the attach. */
    private static final long START_TIMEOUT_S = 60;
    private static final long STOP_TIMEOUT_S = 10;

    /**
     * Starts a holder for {@code fuse} (this process's descriptor), in a session of its own (a terminal's signals
     * or the end of this process do not reach it), stdout and stderr appended to {@code log}; returns once it holds
     * its copy.
     */
    public static Holder start(FuseDevice fuse, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute()) cmd.add("setsid");
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // It holds one descriptor: the smallest JVM there is (~30 MB resident instead of ~150).
                "-Xmx16m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
                "-XX:MaxMetaspaceSize=32m", "-XX:ReservedCodeCacheSize=8m", "-XX:MaxDirectMemorySize=1m",
                "-cp", absolute(System.getProperty("java.class.path")), HolderMain.class.getName(),
                Long.toString(ProcessHandle.current().pid()), Integer.toString(fuse.descriptor()), fuse.mountPoint().toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                return in.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String said;
        try {
            said = line.get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("the FUSE holder did not start within " + START_TIMEOUT_S + " s (log: " + log + ")");
        }
        if (said == null || !said.startsWith("holding ")) {
            p.destroyForcibly();
            throw new IOException("the FUSE holder failed (log: " + log + ")");
        }
        return new Holder(p.pid(), Integer.parseInt(said.substring("holding ".length()).trim()));
    }

    /** The holder outlives daemons started from other directories: its class path must not depend on this one's. */
    private static String absolute(String classPath) {
        return java.util.Arrays.stream(classPath.split(File.pathSeparator)).map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(File.pathSeparator));
    }

    /** The holder recorded as {@code pid}/{@code fd}, when that process is still a holder. */
    public static Optional<Holder> find(long pid, int fd) {
        return pid > 0 && isHolder(pid) ? Optional.of(new Holder(pid, fd)) : Optional.empty();
    }

    /** True while process {@code pid} runs {@link HolderMain} (a reused pid is some other program). */
    public static boolean isHolder(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .flatMap(h -> h.info().arguments())
                .map(a -> List.of(a).contains(HolderMain.class.getName()))
                .orElse(false);
    }

    /** Copies the held connection into this process. */
    public FuseDevice take(Path mountPoint) throws IOException {
        return FuseDevice.takeFrom(pid, fd, mountPoint);
    }

    /**
     * SIGTERM and waits for the exit: the kernel drops the connection once no process holds it (the mount then
     * answers ENOTCONN and its loop device fails I/O), so call this after the loop device and the mount are gone,
     * or to give up a device nobody serves.
     */
    public void stop() throws IOException {
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(x -> isHolder(pid));
        if (h.isEmpty()) return;
        h.get().destroy();
        try {
            h.get().onExit().get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("the FUSE holder (pid " + pid + ") did not exit within " + STOP_TIMEOUT_S + " s");
        }
    }
}
