package dst.server.cli;

import dst.server.auth.ClientKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.util.concurrent.Callable;

/** {@code dst-server client list}: the known identities (never their keys). */
@Command(name = "list", mixinStandardHelpOptions = true, header = "List client identities (not their keys).")
final class ClientListCommand implements Callable<Integer> {
    @Mixin
    ClientsFileOption clientsFile;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(clientsFile.path)) {
            System.out.println("no clients file at " + clientsFile.path + " (create one with: dst-server client add NAME)");
            return 0;
        }
        ClientKeys.load(clientsFile.path).names().forEach(System.out::println);
        return 0;
    }
}
