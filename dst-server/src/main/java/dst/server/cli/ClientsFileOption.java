package dst.server.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --clients FILE}, shared by the {@code client} subcommands: which clients file they read and write. */
final class ClientsFileOption {
    @Option(names = "--clients", paramLabel = "FILE", defaultValue = ServerMain.DEFAULT_CLIENTS,
            description = "The server's clients file (default: ${DEFAULT-VALUE}).")
    Path path;
}
