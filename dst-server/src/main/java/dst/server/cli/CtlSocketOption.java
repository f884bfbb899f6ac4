package dst.server.cli;

import dst.server.ctl.ControlClient;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --ctl-socket PATH}, shared by the {@code ctl} subcommands: which server's control socket they talk to. */
final class CtlSocketOption {
    @Option(names = "--ctl-socket", paramLabel = "PATH", defaultValue = dst.server.ctl.ControlSocket.DEFAULT_PATH,
            description = "The server's control socket (default: ${DEFAULT-VALUE}; the server's --ctl-socket).")
    Path path;

    ControlClient client() {
        return new ControlClient(path);
    }
}
