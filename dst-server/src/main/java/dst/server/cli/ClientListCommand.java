package dst.server.cli;

import dst.server.auth.ClientKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dst-server client list}: the known identities (never their keys). */
@Command(name = "list", mixinStandardHelpOptions = true, header = "List client identities (not their keys).")
final class ClientListCommand implements Callable<Integer> {
    @Option(names = "--clients", paramLabel = "FILE", defaultValue = ServerMain.DEFAULT_CLIENTS,
            description = "The server's clients file (default: ${DEFAULT-VALUE}).")
    Path clients;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(clients)) {
            System.out.println("no clients file at " + clients + " (create one with: dst-server client add NAME)");
            return 0;
        }
        ClientKeys.load(clients).names().forEach(System.out::println);
        return 0;
    }
}
