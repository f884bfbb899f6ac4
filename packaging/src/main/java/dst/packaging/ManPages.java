package dst.packaging;

import dst.client.cli.ClientMain;
import dst.runtime.cli.Version;
import dst.server.cli.ServerMain;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the manual of both programs at build time: {@code dst-server.1}, {@code dst-client.1}
 * (roff, from {@link ManPage}) and {@code PROGRAM[-COMMAND].txt} (the plain {@code --help} text of
 * every command), so that the package documents exactly the options the jars accept.
 */
public final class ManPages {
    private ManPages() {
    }

    /** The programs of the distribution, by name. */
    static Map<String, CommandLine> programs() {
        return Map.of("dst-server", new CommandLine(new ServerMain()), "dst-client", ClientMain.commandLine());
    }

    /** Usage: {@code ManPages MAN1_DIR HELP_DIR}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) throw new IllegalArgumentException("usage: ManPages MAN1_DIR HELP_DIR");
        Path man1 = Files.createDirectories(Path.of(args[0]));
        Path help = Files.createDirectories(Path.of(args[1]));
        for (Map.Entry<String, CommandLine> p : programs().entrySet()) {
            write(man1.resolve(p.getKey() + ".1"), new ManPage(p.getValue(), Version.get()).render());
            write(help.resolve(p.getKey() + ".txt"), usage(p.getValue()));
            for (CommandLine sub : ManPage.allSubcommands(p.getValue())) {
                write(help.resolve(p.getKey() + "-" + ManPage.subName(sub).replace(' ', '-') + ".txt"), usage(sub));
            }
        }
    }

    private static String usage(CommandLine cl) {
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        System.out.println("wrote " + file);
    }
}
