package dst.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dst-server tls}: the server's TLS key and certificate. */
@Command(name = "tls", mixinStandardHelpOptions = true, header = "Create or show the server's TLS key and certificate.",
        subcommands = {TlsInitCommand.class, TlsFingerprintCommand.class})
final class TlsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (init, fingerprint)");
    }
}
