package dst.it.nbd;

import dst.it.harness.Host;
import dst.it.harness.NbdListener;
import dst.it.harness.Repo;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stock NBD server as a child process, for dst-client's tests against the servers people run: nbdkit's file
 * plugin, qemu-nbd serving a qcow2 image, nbd-server (Debian's package) serving a file. It listens on 127.0.0.1, on
 * a port the harness picks, so {@link #restart()} comes back on the same one; readiness is read from the kernel's
 * socket table ({@link NbdListener#isListening()}), not from a connection the server would serve. Output goes to a
 * log under {@code integration-tests/target/server-logs/}, appended across restarts. {@link #kill9()} is SIGKILL
 * (nbd-server's per-connection children included); {@link #close()} and, as a last resort, a JVM shutdown hook leave
 * no process behind. nbdkit can also be started with {@code --tls=require} ({@link #startTls}): clients must STARTTLS,
 * or with any plugin, filters and parameters ({@link #nbdkit}).
 */
public final class StockNbdServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(StockNbdServer::killTree), "kill-stock-nbd-servers"));
    }

    /** The servers, each with the export name it serves (empty: the server's default export). */
    public enum Kind {
        NBDKIT_FILE("nbdkit", ""),
        QEMU_NBD_QCOW2("qemu-nbd", ""),
        /** nbd-server 3.24 has no default export: its exports are always named. */
        NBD_SERVER("nbd-server", "disk");

        private final String program;
        private final String export;

        Kind(String program, String export) {
            this.program = program;
            this.export = export;
        }

        public String program() {
            return program;
        }

        public boolean qcow2() {
            return this == QEMU_NBD_QCOW2;
        }
    }

    private final Kind kind;
    private final Path image;
    private final Path dir;
    private final NbdListener listener = NbdListener.tcp(NbdListener.freePort());
    private final Path log;
    /** nbdkit's --tls-certificates directory when it requires TLS, else null. */
    private final Path tlsCertificates;
    /** nbdkit's filters, plugin and parameters, or null for its file plugin on {@link #image}. */
    private final List<String> nbdkitPlugin;
    private ProcessHandle process;

    private StockNbdServer(Kind kind, Path dir, Path image, Path tlsCertificates, List<String> nbdkitPlugin) {
        this.kind = kind;
        this.dir = dir;
        this.image = image;
        this.tlsCertificates = tlsCertificates;
        this.nbdkitPlugin = nbdkitPlugin;
        this.log = Repo.targetDir("server-logs").resolve(kind.program + "-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet() + ".log");
    }

    /** Skips the test, naming the Debian package, unless this kind's programs are installed. */
    public static void assumeInstalled(Kind kind) throws IOException, InterruptedException {
        if (kind.qcow2()) StockNbdTools.assumeInstalled("qemu-nbd", "qemu-img");
        else StockNbdTools.assumeInstalled(kind.program);
    }

    /** A new sparse image of {@code size} bytes in {@code dir} (qcow2 for qemu-nbd, else raw), served by a new server. */
    public static StockNbdServer start(Kind kind, Path dir, long size) throws IOException, InterruptedException {
        return start(kind, dir, size, null);
    }

    /**
     * nbdkit's file plugin on a new sparse image, with {@code --tls=require --tls-certificates=certificates} (a
     * directory of {@code ca-cert.pem}, {@code server-cert.pem}, {@code server-key.pem}, as {@link TestCa#issueNbdkit}
     * makes it): every option before STARTTLS gets NBD_REP_ERR_TLS_REQD. {@link #uri()} is then {@code nbds://}.
     */
    public static StockNbdServer startTls(Path dir, long size, Path certificates) throws IOException, InterruptedException {
        return start(Kind.NBDKIT_FILE, dir, size, certificates);
    }

    private static StockNbdServer start(Kind kind, Path dir, long size, Path tlsCertificates) throws IOException, InterruptedException {
        Path image = dir.resolve(kind.qcow2() ? "disk.qcow2" : "disk.img");
        if (kind.qcow2()) {
            StockNbdTools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), Long.toString(size));
        } else {
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength(size);
            }
        }
        StockNbdServer s = new StockNbdServer(kind, dir, image, tlsCertificates, null);
        s.launch();
        return s;
    }

    /**
     * nbdkit with the given filters, plugin and parameters ({@code "--filter=log", "memory", "16M"}), serving no image
     * of the harness's ({@link #image()} is null); skips the test without nbdkit.
     */
    public static StockNbdServer nbdkit(Path dir, String... pluginAndParameters) throws IOException, InterruptedException {
        assumeInstalled(Kind.NBDKIT_FILE);
        StockNbdServer s = new StockNbdServer(Kind.NBDKIT_FILE, dir, null, null, List.of(pluginAndParameters));
        s.launch();
        return s;
    }

    public Kind kind() {
        return kind;
    }

    public int port() {
        return listener.port();
    }

    /** {@code nbd://127.0.0.1:PORT/EXPORT} ({@code nbds://} when the server requires TLS): what dst-client attaches. */
    public String uri() {
        return tlsCertificates == null ? plainUri() : plainUri().replaceFirst("^nbd://", "nbds://");
    }

    /** {@code nbd://127.0.0.1:PORT/EXPORT} even when the server requires TLS: what a client without TLS would try. */
    public String plainUri() {
        return listener.uri(kind.export);
    }

    /** The file the server serves (qcow2 for qemu-nbd); null for {@link #nbdkit} with a plugin of the test's. */
    public Path image() {
        return image;
    }

    public Path logFile() {
        return log;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    private List<String> command() throws IOException {
        String host = "127.0.0.1";
        String port = Integer.toString(port());
        return switch (kind) {
            // --exit-with-parent: nbdkit dies with the test JVM, whatever happens to it. --threads 1: nbdkit 1.32.5 (Debian
            // 12) aborts with "connections.c:402: raw_send_socket: Assertion `sock >= 0' failed" when a second worker
            // thread of a connection sends after the first found the socket broken (seen when a client gave up a cut link
            // with replies pending); one worker per connection cannot race so. Requests of a connection are then served in
            // order, which the client's tests do not depend on (it still opens several connections).
            case NBDKIT_FILE -> {
                List<String> c = new ArrayList<>(List.of("nbdkit", "--foreground", "--exit-with-parent", "--threads", "1", "--ipaddr", host,
                        "--port", port));
                if (tlsCertificates != null) c.addAll(List.of("--tls=require", "--tls-certificates=" + tlsCertificates));
                c.addAll(nbdkitPlugin != null ? nbdkitPlugin : List.of("file", "file=" + image));
                yield c;
            }
            // --persistent: keep serving after the last client left (a reconnecting client comes back); --shared: a
            // reconnect may overlap a connection the server has not noticed is dead yet (its default is 1 client).
            case QEMU_NBD_QCOW2 -> List.of("qemu-nbd", "--format=qcow2", "--bind=" + host, "--port=" + port, "--persistent",
                    "--shared=8", image.toString());
            // nbd-server forks a process per connection and daemonizes (its -d serves one connection only): the pid
            // file names the daemon.
            case NBD_SERVER -> List.of("nbd-server", "-C", nbdServerConfig().toString(), "-p", pidFile().toString());
        };
    }

    private Path nbdServerConfig() throws IOException {
        Path conf = dir.resolve("nbd-server-" + port() + ".conf");
        Files.writeString(conf, """
                [generic]
                    port = %d
                    listenaddr = 127.0.0.1
                [%s]
                    exportname = %s
                    flush = true
                    fua = true
                    trim = true
                """.formatted(port(), kind.export, image));
        return conf;
    }

    private Path pidFile() {
        return dir.resolve("nbd-server-" + port() + ".pid");
    }

    private void launch() throws IOException, InterruptedException {
        List<String> cmd = command();
        if (kind == Kind.NBD_SERVER) Files.deleteIfExists(pidFile());
        Files.writeString(log, "### " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process started = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        process = started.toHandle();
        LIVE.add(process);
        boolean daemonizes = kind == Kind.NBD_SERVER;
        boolean adopted = false;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (daemonizes && !adopted) {
                Optional<ProcessHandle> daemon = daemon();
                if (daemon.isPresent()) {
                    LIVE.add(daemon.get());
                    LIVE.remove(process);
                    process = daemon.get();
                    adopted = true;
                }
            }
            if (process.isAlive() && listener.isListening() && (!daemonizes || adopted)) return;
            boolean gone = daemonizes ? !started.isAlive() && (started.exitValue() != 0 || adopted && !process.isAlive()) : !process.isAlive();
            if (gone) {
                LIVE.remove(process);
                throw new IllegalStateException(kind.program + " exited before listening on " + port() + ":\n" + logText());
            }
            Thread.sleep(20);
        }
        killTree(process);
        throw new IllegalStateException(kind.program + " did not listen on " + port() + " within " + START_TIMEOUT + ":\n" + logText());
    }

    /** nbd-server's daemon, once its pid file names a live process. */
    private Optional<ProcessHandle> daemon() {
        try {
            String pid = Files.readString(pidFile()).trim();
            return pid.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // not written yet
        }
    }

    /** SIGKILL, and wait until the server (and every process it forked) is gone: nothing is flushed. */
    public void kill9() {
        killTree(process);
        LIVE.remove(process);
    }

    /** SIGTERM (the server's own clean shutdown: qemu-nbd writes its qcow2 metadata), SIGKILL after 15 s. */
    public void stop() {
        if (process == null || !process.isAlive()) return;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!awaitExit(process, Duration.ofSeconds(15))) killTree(process);
        children.forEach(StockNbdServer::killTree);
        LIVE.remove(process);
    }

    /** Starts the server again on the same port (kill or stop it first); retries while the port is still held. */
    public void restart() throws IOException, InterruptedException {
        if (isAlive()) throw new IllegalStateException("still running: kill9() or stop() it first");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(100);
            }
        }
    }

    /**
     * The served disk as a raw image, for e2fsck and a read-only loop mount: stops the server first (a clean qcow2
     * needs qemu-nbd's shutdown; a qcow2 image is locked while served). A raw image is returned as it is; a qcow2
     * one is converted by qemu-img into {@code dir} (sparse), read through qemu's own qcow2 driver, not the server's.
     */
    public Path rawImage(Path dir) throws IOException, InterruptedException {
        stop();
        if (!kind.qcow2()) return image;
        Path raw = dir.resolve("disk-from-qcow2.raw");
        StockNbdTools.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString());
        return raw;
    }

    /** {@code qemu-img check} of the qcow2 image (stop the server first): exit 0 clean, 3 leaked clusters only, 2 corrupt. */
    public Host.Result qcow2Check() throws IOException, InterruptedException {
        if (!kind.qcow2()) throw new IllegalStateException(kind + " serves a raw file");
        if (isAlive()) throw new IllegalStateException("stop() the server first: qemu-nbd holds the image's lock");
        return StockNbdTools.exec(300, "qemu-img", "check", image.toString());
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static void killTree(ProcessHandle p) {
        if (p == null) return;
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(0, p);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            if (!awaitExit(h, Duration.ofSeconds(10))) throw new IllegalStateException("process " + h.pid() + " survived SIGKILL for 10 s");
        }
    }

    private static boolean awaitExit(ProcessHandle p, Duration timeout) {
        try {
            p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the server; leaves no process behind. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return kind.program + " on 127.0.0.1:" + port() + " serving " + image + " (log " + log + ")";
    }
}
