package dst.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dst-server ctl}: talk to a running server through its control socket. */
@Command(name = "ctl", mixinStandardHelpOptions = true, header = "Ask a running server: status, reload.",
        subcommands = {CtlStatusCommand.class, CtlReloadCommand.class},
        description = {"A running dst-server answers on its control socket (--ctl-socket, default "
                + dst.server.ctl.ControlSocket.DEFAULT_PATH + "), a Unix " +
                "socket only root and the server's user may use. Each subcommand sends one JSON request line and gets one " +
                "JSON reply line: {\"ok\":true,\"result\":...} or {\"ok\":false,\"error\":\"...\",\"exit\":N}. " +
                "Exit codes: 0 ok, 1 failure, 2 bad usage, 3 no server answers on the socket, 4 refused."})
final class CtlCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (status, reload)");
    }
}
