package dst.server.cli;

import dst.runtime.transport.Tls;
import dst.server.tls.ServerCertificate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dst-server tls fingerprint}: prints the SHA-256 fingerprint clients pin. */
@Command(name = "fingerprint", mixinStandardHelpOptions = true, header = "Print the certificate's SHA-256 fingerprint.")
final class TlsFingerprintCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ServerMain.DEFAULT_TLS_DIR,
            description = "Where server.crt is (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        System.out.println(Tls.fingerprint(new ServerCertificate(dir).certificate()));
        return 0;
    }
}
