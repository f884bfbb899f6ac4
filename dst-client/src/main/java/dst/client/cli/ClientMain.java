package dst.client.cli;

import dst.runtime.cli.ExitCodes;
import dst.runtime.cli.Logs;
import dst.runtime.cli.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dst-client}: use remote dst exports as local disks. */
@Command(name = "dst-client", mixinStandardHelpOptions = true, versionProvider = ClientMain.VersionProvider.class,
        header = "Use exports of a dst-server as local block devices.",
        description = "Every read, write, flush and discard travels to the server, checksummed; lost connections "
                + "are re-established and unanswered requests resent by the client itself.",
        subcommands = {
                InfoCommand.class,
                CopyCommand.class,
                BenchCommand.class,
                AttachCommand.class,
                ListCommand.class,
                StatusCommand.class,
                DetachCommand.class,
                RestartCommand.class,
                CommandLine.HelpCommand.class,
        },
        footer = {"", "Examples:",
                "  dst-client info 127.0.0.1:7070/disk0",
                "  dst-client copy disk.img dst://127.0.0.1/disk0",
                "  dst-client attach 127.0.0.1/disk0     # prints the device, e.g. /dev/loop0",
                "  dst-client restart disk0                # a new process serves /dev/loop0, still mounted",
                "  dst-client detach /dev/loop0",
                "", "Exit codes: 0 ok, 1 failure, 2 bad usage, 3 server unreachable, 4 refused by the server, 5 data mismatch."})
public final class ClientMain implements Runnable {
    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT, description = "Log more.")
    void verbose(boolean v) {
        Logs.setup(v);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see --help)");
    }

    public static void main(String[] args) {
        Logs.install();
        Logs.setup(false);
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, with exceptions mapped to exit codes in one place. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ClientMain());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("dst-client: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return ExitCodes.of(e);
        });
        return cl;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"dst-client " + Version.get(), "Java " + System.getProperty("java.version")};
        }
    }
}
