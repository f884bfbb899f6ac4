package dst.server.cli;

import dst.protocol.nbd.Nbd;
import dst.runtime.cli.ExitCodes;
import dst.runtime.cli.Logs;
import dst.runtime.cli.Sizes;
import dst.runtime.cli.Version;
import dst.runtime.metrics.MetricsEndpoint;
import dst.server.ctl.AccessReload;
import dst.server.ctl.ControlCommands;
import dst.server.ctl.Sighup;
import dst.server.ctl.ControlSocket;
import dst.server.export.Export;
import dst.server.export.ExportSpec;
import dst.server.net.DstServer;
import dst.server.net.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import dst.runtime.transport.Tls;
import dst.runtime.transport.Transport;
import dst.server.auth.ClientKeys;
import dst.server.auth.ServerSecurity;
import dst.server.tls.ServerCertificate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/** {@code dst-server}: serve files, block devices or memory as network block devices. */
@Command(name = "dst-server", mixinStandardHelpOptions = true, versionProvider = ServerMain.VersionProvider.class,
        header = "Serve files, block devices or memory to dst clients.",
        description = {
                "Exports are named disks that dst-client attaches as local block devices.",
                "Requests are checksummed (crc32c), answered out of order, and survive client reconnects.",
                "SIGTERM shuts down gracefully: running requests are answered and every export is forced to disk.",
                "",
                "Security: clients prove an identity with a key (dst-server client add NAME; mutual HMAC-SHA256",
                "challenge-response, the key never crosses the network). Anonymous clients are served only with",
                "--anonymous, or when the server has no client keys at all and listens on loopback or a Unix socket.",
                "allow= on an export limits who may use it: allow=alice:rw+bob:ro (also *:ro, anonymous:ro).",
                "--tls encrypts every connection (TLS 1.3; dst-server tls init makes the key and certificate).",
                "",
                "Operating: 'dst-server ctl status' shows the exports and who is connected, through the control socket",
                "(--ctl-socket). 'dst-server ctl reload' or SIGHUP re-reads --clients and --access-file without a restart",
                "and disconnects the clients they no longer admit."},
        subcommands = {ClientCommand.class, TlsCommand.class, CtlCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  dst-server --export disk0=/srv/disk0.img,size=10G",
                "  dst-server --listen 0.0.0.0:7070 --export scratch=mem:4G --export base=/dev/vdb,ro",
                "  dst-server client add alice --key-file alice.key && dst-server tls init",
                "  dst-server --listen 0.0.0.0:7070 --tls --export disk0=/srv/d0.img,allow=alice:rw+bob:ro",
                "  dst-server --listen unix:/run/dst.sock --export disk0=/srv/d0.img",
                "  dst-server --nbd-listen 127.0.0.1:10809 --export disk0=/srv/d0.img   # then: nbdinfo nbd://127.0.0.1/disk0",
                "", "Exit codes: 0 ok, 1 failure, 2 bad usage."})
public final class ServerMain implements Callable<Integer> {
    static final String DEFAULT_CLIENTS = "/etc/dst/clients";
    static final String DEFAULT_TLS_DIR = "/etc/dst/tls";

    @Option(names = {"-l", "--listen"}, paramLabel = "HOST:PORT|unix:PATH", defaultValue = "127.0.0.1:7070",
            description = "Address to listen on: TCP (port 0 picks a free one) or a Unix socket (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--nbd-listen", paramLabel = "HOST:PORT|unix:PATH",
            description = {"Also serve the exports to NBD clients (qemu, nbdinfo, nbdcopy, nbd-client) here: TCP (NBD's port is",
                    "10809; 0 picks a free one) or a Unix socket. Same exports, access rules and TLS certificate: with --tls",
                    "NBD clients must use STARTTLS; an NBD client is anonymous or its TLS client certificate's CN."})
    String nbdListen;

    @Option(names = {"-e", "--export"}, paramLabel = "NAME=PATH[,ro][,size=SIZE][,block=512|4096][,allow=ID:ro|rw+...]",
            description = {"An export (repeatable). PATH is a file (created sparse when size= is given and it is missing),",
                    "a block device, or mem:SIZE (memory, lost on exit). allow= lists the identities that may use it",
                    "(ID a client name, * for any authenticated client, anonymous); without it every admitted client may."})
    List<String> exports = new ArrayList<>();

    @Option(names = "--clients", paramLabel = "FILE", defaultValue = DEFAULT_CLIENTS,
            description = "Client identities and keys, made by 'dst-server client add' (default: ${DEFAULT-VALUE}; missing = none).")
    Path clients;

    @Option(names = "--access-file", paramLabel = "FILE",
            description = {"Export access rules, one 'EXPORT RULES' a line (RULES as in allow=, e.g. 'disk0 alice:rw+bob:ro'):",
                    "an export listed there gets those rules instead of its allow=. Re-read, with --clients, by",
                    "'dst-server ctl reload' and SIGHUP."})
    Path accessFile;

    @Option(names = "--anonymous", description = "Also serve clients without a key (subject to each export's allow= rules).")
    boolean anonymous;

    @Option(names = "--tls", description = "Accept TLS 1.3 connections only, with the key and certificate in --tls-dir.")
    boolean tls;

    @Option(names = "--tls-dir", paramLabel = "DIR", defaultValue = DEFAULT_TLS_DIR,
            description = "Where server.key and server.crt are (default: ${DEFAULT-VALUE}; see 'dst-server tls init').")
    Path tlsDir;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = {"Mutual TLS: clients may present a certificate issued by a CA in this PEM file (or one of the",
                    "self-signed certificates in it); its subject CN is then their identity, without a key. Needs --tls."})
    Path tlsClientCa;

    @Option(names = "--max-request", paramLabel = "SIZE", defaultValue = "4M",
            description = "Largest request payload accepted (default: ${DEFAULT-VALUE}).")
    String maxRequest;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_IN_FLIGHT,
            description = {"Requests one connection may have unanswered (default: ${DEFAULT-VALUE}); told to clients in the",
                    "handshake, and a client that sends more is disconnected (EPROTO). With --max-request it bounds the",
                    "memory one connection can take: at most N requests of the negotiated size (1M for dst-client)."})
    int maxInFlight;

    @Option(names = "--io-threads", defaultValue = "16", description = "Threads doing backend I/O (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Close a connection that sent nothing, not even a keepalive, for this long (default: ${DEFAULT-VALUE}).")
    int idleTimeoutSeconds;

    @Option(names = "--claim-grace", paramLabel = "SECONDS", defaultValue = "30",
            description = {"Exclusive attach: a writer whose connection went keeps its claim this long, so its reconnects",
                    "find the export still its own; then another writer may take it (default: ${DEFAULT-VALUE})."})
    int claimGraceSeconds;

    @Option(names = "--exclusive-writers", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = {"Exclusive attach (default: on): an export has one read-write client session at a time (unless",
                    "every writer attaches --shared; readers always may); a second writer is refused with EBUSY naming",
                    "the holder. A client replacing itself (restart, FUSE handover, ublk recovery) resumes its session",
                    "and keeps the claim. --no-exclusive-writers lets every writer in (claims recorded, never refused)."})
    boolean exclusiveWriters;

    @Option(names = "--ctl-socket", paramLabel = "PATH|none", defaultValue = ControlSocket.DEFAULT_PATH,
            description = {"The control socket 'dst-server ctl' talks to (default: ${DEFAULT-VALUE}; mode 0600, root and the",
                    "server's user only). none: no control socket. When the default one is held by another running server,",
                    "this one runs without (a warning says so); a --ctl-socket given explicitly must be free."})
    String ctlSocket;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = {"Serve Prometheus metrics at http://HOST:PORT/metrics (port 0 picks a free one, printed at start):",
                    "requests, bytes, errors and latency histograms per export, identity and opcode; connected clients and",
                    "requests in flight; auth failures, crc errors, idle timeouts, sessions opened and resumed."})
    String metrics;

    @Option(names = {"-v", "--verbose"}, description = "Log more.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Logs.setup(verbose);
        Logger log = Logger.getLogger(ServerMain.class.getName());
        if (tlsClientCa != null && !tls) throw new IllegalArgumentException("--tls-client-ca needs --tls");
        if (exports.isEmpty()) throw new IllegalArgumentException("at least one --export NAME=PATH is required (see --help)");
        Transport transport = Transport.parse(listen, Transport.DEFAULT_PORT);
        Transport nbd = nbdListen == null ? null : Transport.parse(nbdListen, dst.protocol.nbd.Nbd.PORT);
        ClientKeys keys = ClientKeys.load(clients);
        // anonymous by default only when every listener is local: an NBD port on the network must not open the exports
        boolean anonymousAllowed = anonymous || ServerSecurity.anonymousByDefault(keys, transport.resolvedAddress())
                && (nbd == null || ServerSecurity.anonymousByDefault(keys, nbd.resolvedAddress()));
        if (keys.isEmpty() && !anonymousAllowed && tlsClientCa == null) {
            String where = transport.describe() + (nbd == null ? "" : " and " + nbd.describe());
            throw new IllegalArgumentException("listening on " + where + " without any client key would let nobody in: "
                    + "add one (dst-server client add NAME --clients " + clients + ") or pass --anonymous");
        }
        ServerSecurity security = new ServerSecurity(keys, anonymousAllowed, tls ? new ServerCertificate(tlsDir).context(tlsClientCa) : null);
        List<ExportSpec> specs = exports.stream().map(ExportSpec::parse).toList();
        long max = Sizes.parse(maxRequest);
        if (max < 4096 || max > dst.protocol.ExportInfo.MAX_MAX_REQUEST) {
            throw new IllegalArgumentException("--max-request must be between 4K and 32M");
        }
        if (maxInFlight < 1 || maxInFlight > 65536) throw new IllegalArgumentException("--max-in-flight must be between 1 and 65536");
        if (claimGraceSeconds < 0) throw new IllegalArgumentException("--claim-grace must be >= 0");
        ServerConfig config = new ServerConfig((int) max, ioThreads, Duration.ofSeconds(idleTimeoutSeconds), Duration.ofSeconds(10), security,
                maxInFlight, Duration.ofSeconds(claimGraceSeconds), exclusiveWriters);
        List<Export> opened = new ArrayList<>();
        if (metrics != null) MetricsEndpoint.parse(metrics); // a bad address is a usage error before anything opens
        try {
            for (ExportSpec s : specs) opened.add(Export.open(s));
            AccessReload.applyAccessFile(opened.stream().collect(java.util.stream.Collectors.toMap(Export::name, e -> e, (a, b) -> a)),
                    accessFile);
        } catch (IOException e) {
            for (Export x : opened) x.close();
            throw e;
        }
        DstServer server = DstServer.start(opened, config, transport, nbd);
        AccessReload reload = new AccessReload(server, security, clients, accessFile);
        Sighup.reloads(reload);
        ControlSocket control = openControlSocket(server, reload, log);
        MetricsEndpoint metricsEndpoint = startMetrics(server, control);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: finishing running requests, forcing exports to disk");
            try {
                if (control != null) control.close();
                if (metricsEndpoint != null) metricsEndpoint.close();
                server.close();
                log.info("shutdown complete");
            } catch (IOException e) {
                log.severe("shutdown: " + e.getMessage());
            }
        }, "dst-shutdown"));
        System.out.println("dst-server " + Version.get() + " listening on " + server.describeAddress()
                + (tls ? " (TLS 1.3, " + Tls.describeProvider() + ")" : ""));
        if (nbd != null) {
            System.out.println("  NBD clients: " + server.describeNbdAddress() + (tls ? " (STARTTLS required)" : ""));
        }
        System.out.println("  clients: " + keys.size() + " identities from " + clients
                + (anonymousAllowed ? "; anonymous clients served" : "; authentication required"));
        for (Export e : opened) System.out.println("  export " + e);
        if (control != null) System.out.println("  control socket: " + control.path());
        if (metricsEndpoint != null) System.out.println("  metrics: " + metricsEndpoint.url());
        System.out.flush();
        server.awaitClosed();
        return ExitCodes.OK;
    }

    /** The --metrics endpoint, or null without the option; when it cannot listen, the server is closed again. */
    private MetricsEndpoint startMetrics(DstServer server, ControlSocket control) throws IOException {
        if (metrics == null) return null;
        try {
            return MetricsEndpoint.start(metrics, server::renderMetrics);
        } catch (IOException | RuntimeException e) {
            if (control != null) control.close();
            server.close();
            throw e;
        }
    }

    /**
     * The control socket, or null with --ctl-socket none, or when the default one cannot be had: it belongs to another
     * server, or this JVM cannot make Unix sockets (a minimal container image without the epoll native library).
     */
    private ControlSocket openControlSocket(DstServer server, AccessReload reload, Logger log) throws IOException {
        if (ctlSocket.equals("none")) return null;
        try {
            return ControlSocket.open(Path.of(ctlSocket), ControlCommands.standard(server, reload));
        } catch (IOException | RuntimeException e) {
            if (!ctlSocket.equals(ControlSocket.DEFAULT_PATH)) {
                server.close();
                throw e;
            }
            log.warning(e.getMessage() + "; running without a control socket (give this server its own with --ctl-socket PATH)");
            return null;
        }
    }

    public static void main(String[] args) {
        Logs.install();
        CommandLine cl = new CommandLine(new ServerMain());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("dst-server: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return ExitCodes.of(e);
        });
        System.exit(cl.execute(args));
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"dst-server " + Version.get(), "Java " + System.getProperty("java.version")};
        }
    }
}
