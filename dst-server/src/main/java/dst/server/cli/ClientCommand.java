package dst.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dst-server client}: manage the identities and keys of clients. */
@Command(name = "client", mixinStandardHelpOptions = true, header = "Manage client identities and their keys.",
        subcommands = {ClientAddCommand.class, ClientListCommand.class, ClientRemoveCommand.class},
        description = {"Each client proves its identity with a 256-bit key in a mutual HMAC-SHA256 challenge-response;",
                "the key itself never crosses the network. Keys live in the clients file (mode 0600).",
                "The server reads that file when it starts and when it reloads: run 'dst-server ctl reload' (or send it",
                "SIGHUP) after 'add' or 'remove'; the reload also disconnects the clients whose key was removed."})
final class ClientCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (add, list, remove)");
    }
}
