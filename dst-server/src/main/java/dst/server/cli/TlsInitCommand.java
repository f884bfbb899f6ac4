package dst.server.cli;

import dst.runtime.transport.Tls;
import dst.server.tls.ServerCertificate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dst-server tls init}: a self-signed key and certificate, and its fingerprint for clients to pin. */
@Command(name = "init", mixinStandardHelpOptions = true, header = "Generate a TLS key and self-signed certificate.",
        description = {"Writes server.key (mode 0600) and server.crt to --dir and prints the certificate's SHA-256",
                "fingerprint: give it to clients (dst-client --tls --tls-fingerprint FP), or copy server.crt to them (--tls-ca)."},
        footer = {"", "Example:", "  dst-server tls init --name storage1.example.org"})
final class TlsInitCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ServerMain.DEFAULT_TLS_DIR,
            description = "Where to write server.key and server.crt (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--name", paramLabel = "HOST|IP",
            description = "A name clients use to reach the server (repeatable; default: this host's name, localhost, 127.0.0.1, ::1).")
    List<String> names = new ArrayList<>();

    @Option(names = "--force", description = "Replace an existing key and certificate.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        List<String> n = new ArrayList<>(names);
        if (n.isEmpty()) {
            String host = InetAddress.getLocalHost().getHostName();
            n.add(host);
            if (!host.equals("localhost")) n.add("localhost");
            n.add("127.0.0.1");
            n.add("::1");
        }
        X509Certificate cert = new ServerCertificate(dir).init(n, force);
        System.out.println("wrote " + dir.resolve(ServerCertificate.KEY_FILE) + " and " + dir.resolve(ServerCertificate.CERT_FILE)
                + " for " + String.join(", ", n));
        System.out.println("SHA-256 fingerprint: " + Tls.fingerprint(cert));
        return 0;
    }
}
