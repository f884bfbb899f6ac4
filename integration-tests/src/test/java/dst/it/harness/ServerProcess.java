package dst.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code dst-server} as a child process ({@code java -jar dst-server/target/dst-server.jar}),
 * for tests that must see what a user would: a real socket, a real SIGKILL, a real SIGTERM.
 *
 * <p>It listens on 127.0.0.1 (port 0 by default: the port is read from the server's
 * {@code "dst-server VERSION listening on HOST:PORT"} line). stdout and stderr go to one log file under
 * {@code integration-tests/target/server-logs/}, appended to across restarts, so a failed test can be
 * diagnosed. {@link #restart()} comes back on the same port with the same exports. Every process is
 * killed by {@link #close()} and, as a last resort, by a JVM shutdown hook.
 *
 * <p>Each server gets a control socket of its own ({@code --ctl-socket} in the temporary directory, {@link #ctlSocket()}),
 * never the machine's default one, so that tests running side by side neither collide nor touch {@code /run}.
 *
 * <p>With {@link Builder#nbd()} (or {@link Builder#nbdUnix}) the server also speaks NBD on a second listener
 * ({@code --nbd-listen}): on a TCP port the harness picks (so a restart keeps it), and {@link #start}
 * returns only once that port is listening too. {@link #nbdUri} names an export for stock NBD clients.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("dst-server \\S+ listening on (\\S+):(\\d+)");
    /** 30 s; the ublk guest (everything emulated) sets {@code -Ddst.it.server.start.seconds} higher. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("dst.it.server.start.seconds", 30));
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-dst-servers"));
    }

    private final List<String> jvmArgs;
    private final List<String> serverArgs;
    private final Path log;
    private final NbdListener nbd;
    private final Path ctlSocket;
    private Process process;
    private int port;

    private ServerProcess(List<String> jvmArgs, List<String> serverArgs, Path log, int port, NbdListener nbd) {
        this.jvmArgs = List.copyOf(jvmArgs);
        this.serverArgs = List.copyOf(serverArgs);
        this.log = log;
        this.port = port;
        this.nbd = nbd;
        this.ctlSocket = Path.of(System.getProperty("java.io.tmpdir"), "dst-ctl-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet() + ".sock");
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Shorthand: a server with these exports ({@code NAME=PATH[,ro][,size=...]}) on a free port. */
    public static ServerProcess start(String name, String... exports) {
        Builder b = builder(name);
        for (String e : exports) b.export(e);
        return b.start();
    }

    /** Builds the command line of a server. */
    public static final class Builder {
        private final String name;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private int port;
        private NbdListener nbd;

        private Builder(String name) {
            this.name = name;
        }

        public Builder export(String spec) {
            args.add("--export");
            args.add(spec);
            return this;
        }

        /** Any other server option, e.g. {@code arg("--idle-timeout", "60")}. */
        public Builder arg(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        public Builder jvmArg(String... more) {
            jvmArgs.addAll(List.of(more));
            return this;
        }

        /** Also serve NBD ({@code --nbd-listen 127.0.0.1:PORT}) on a free TCP port. */
        public Builder nbd() {
            nbd = NbdListener.tcp(NbdListener.freePort());
            return this;
        }

        /** Also serve NBD on a Unix socket ({@code --nbd-listen unix:PATH}). */
        public Builder nbdUnix(Path socket) {
            nbd = NbdListener.unix(socket);
            return this;
        }

        /** A fixed port instead of a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public ServerProcess start() {
            Path log = Repo.targetDir("server-logs").resolve(name + "-" + ProcessHandle.current().pid() + "-"
                    + SEQUENCE.incrementAndGet() + ".log");
            ServerProcess s = new ServerProcess(jvmArgs, args, log, port, nbd);
            s.launch();
            return s;
        }
    }

    private void launch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Repo.java());
        cmd.addAll(Cli.extraJvmOptions());
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(Repo.serverJar().toString());
        cmd.add("--listen");
        cmd.add("127.0.0.1:" + port);
        if (nbd != null) {
            cmd.add("--nbd-listen");
            cmd.add(nbd.argument());
        }
        cmd.add("--ctl-socket");
        cmd.add(ctlSocket.toString());
        cmd.addAll(serverArgs);
        try {
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            Files.writeString(log, "### " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            LIVE.add(process);
            port = awaitListening(logStart);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    private int awaitListening(long logStart) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = logSince(logStart);
            Matcher m = LISTENING.matcher(text);
            if (m.find() && (nbd == null || nbd.isListening())) return Integer.parseInt(m.group(2));
            if (!process.isAlive()) {
                LIVE.remove(process);
                throw new IllegalStateException("dst-server exited with " + process.exitValue() + " before listening:\n" + text);
            }
            sleep(20);
        }
        kill9();
        throw new IllegalStateException("dst-server did not report listening" + (nbd == null ? "" : " (and listen for NBD on " + nbd.argument() + ")")
                + " within " + START_TIMEOUT + ":\n" + logSince(logStart));
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The NBD listener's port; fails when the server was built without {@link Builder#nbd()}. */
    public int nbdPort() {
        if (nbd == null || nbd.socket() != null) throw new IllegalStateException("no NBD TCP listener: build the server with nbd()");
        return nbd.port();
    }

    /** The NBD URI of an export ({@code nbd://127.0.0.1:PORT/NAME}, or {@code nbd+unix:///NAME?socket=PATH}). */
    public String nbdUri(String export) {
        if (nbd == null) throw new IllegalStateException("no NBD listener: build the server with nbd() or nbdUnix()");
        return nbd.uri(export);
    }

    /** The server's control socket ({@code dst-server ctl ... --ctl-socket PATH}). */
    public Path ctlSocket() {
        return ctlSocket;
    }

    /** {@code dst-server ctl COMMAND ARGS --ctl-socket THIS-SERVER'S}, run to its end. */
    public Host.Result ctl(String... commandAndArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("ctl"));
        args.addAll(List.of(commandAndArgs));
        args.add("--ctl-socket");
        args.add(ctlSocket.toString());
        return Cli.server(args.toArray(String[]::new));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return log;
    }

    /** Everything the server wrote so far, over all its runs. */
    public String logText() {
        return logSince(0);
    }

    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** SIGKILL, and wait until the process is gone: nothing is flushed, no shutdown hook runs. */
    public void kill9() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM (graceful shutdown) and wait for the exit; returns the exit status (143 = ended by SIGTERM). */
    public int terminate() {
        return terminate(Duration.ofSeconds(30));
    }

    public int terminate(Duration timeout) {
        process.destroy();
        if (!awaitExit(timeout)) {
            throw new IllegalStateException("dst-server did not exit within " + timeout + " of SIGTERM; log:\n" + logText());
        }
        return process.exitValue();
    }

    /** Waits up to {@code timeout} for the process to end by itself; true when it has. */
    public boolean awaitExit(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) LIVE.remove(process);
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts the server again on the same port with the same arguments (kill or terminate it first).
     * Retries for a few seconds while the port is still held by the dying process.
     */
    public void restart() {
        if (process.isAlive()) throw new IllegalStateException("still running: kill9() or terminate() it first");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline || !e.getMessage().contains("cannot listen")) throw e;
                sleep(100);
            }
        }
    }

    /** Graceful stop when possible, SIGKILL otherwise; always leaves no process behind. */
    @Override
    public void close() {
        if (process == null) return;
        if (process.isAlive()) {
            process.destroy();
            if (!awaitExit(Duration.ofSeconds(15))) kill9();
        }
        LIVE.remove(process);
        try {
            Files.deleteIfExists(ctlSocket); // left behind by a SIGKILL
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "dst-server on 127.0.0.1:" + port + " (log " + log + ")";
    }
}
