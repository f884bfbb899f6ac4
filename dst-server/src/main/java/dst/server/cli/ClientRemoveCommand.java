package dst.server.cli;

import dst.server.auth.ClientKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.util.concurrent.Callable;

/** {@code dst-server client remove NAME}: revokes an identity by deleting its key from the clients file. */
@Command(name = "remove", mixinStandardHelpOptions = true, header = "Remove a client identity and its key.",
        description = {"Deletes NAME's key from the clients file; a NAME that is not there is an error (exit 2).",
                "A running server keeps the keys it read until it reloads: 'dst-server ctl reload' (or SIGHUP,",
                "systemctl reload dst-server) locks the client out without a restart. The reload closes the client's",
                "open connections (the server logs each one), and its reconnects then fail with EACCES."},
        footer = {"", "Example:", "  dst-server client remove alice && dst-server ctl reload"})
final class ClientRemoveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The identity to remove.")
    String name;

    @Mixin
    ClientsFileOption clientsFile;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(clientsFile.path)) throw new IllegalArgumentException("no client '" + name + "': there is no clients file at " + clientsFile.path);
        ClientKeys.load(clientsFile.path).without(name).save(clientsFile.path);
        System.out.println("removed client '" + name + "' from " + clientsFile.path
                + "; run 'dst-server ctl reload' (or send the server SIGHUP) to lock it out and cut its connections");
        return 0;
    }
}
