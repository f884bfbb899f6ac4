package dst.packaging;

import dst.client.cli.ClientMain;
import dst.server.cli.ServerMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The man pages document every option and command the programs accept, in valid roff. */
class ManPageTest {
    private static final Set<String> MACROS = Set.of(".TH", ".SH", ".SS", ".TP", ".PP", ".B", ".I", ".nf", ".fi");

    @Test
    void serverPageHasEveryOptionAndItsDefault() {
        CommandLine cl = new CommandLine(new ServerMain());
        String page = new ManPage(cl, "1.2.3").render();
        assertTrue(page.startsWith(".TH \"DST\\-SERVER\" 1 \"\" \"dst 1.2.3\""), page);
        for (OptionSpec o : cl.getCommandSpec().options()) {
            for (String name : o.names()) assertTrue(page.contains("\\fB" + ManPage.escape(name) + "\\fR"), name + " missing");
        }
        assertTrue(page.contains("(default: 4M)"), "defaults are interpolated");
        assertTrue(page.contains(".SH NOTES"), "the footer (examples, exit codes) is kept");
    }

    @Test
    void clientPageHasASectionPerCommandButNotHelp() {
        CommandLine cl = ClientMain.commandLine();
        String page = new ManPage(cl, "1.2.3").render();
        for (CommandLine sub : ManPage.visibleSubcommands(cl)) {
            assertTrue(page.contains(".SS \"" + sub.getCommandName() + "\""), sub.getCommandName() + " missing");
        }
        assertFalse(page.contains(".SS \"help\""), "picocli's help command is not documented as a command");
        assertTrue(ManPage.visibleSubcommands(cl).stream().anyMatch(c -> c.getCommandName().equals("copy")));
    }

    @Test
    void nestedCommandsHaveTheirOwnSection() {
        CommandLine cl = new CommandLine(new ServerMain());
        String page = new ManPage(cl, "1.2.3").render();
        for (CommandLine sub : ManPage.allSubcommands(cl)) {
            assertTrue(page.contains(".SS \"" + ManPage.subName(sub) + "\""), ManPage.subName(sub) + " missing");
        }
    }

    @Test
    void everyControlLineIsAKnownMacro() {
        for (CommandLine cl : new CommandLine[]{new CommandLine(new ServerMain()), ClientMain.commandLine()}) {
            for (String line : new ManPage(cl, "x").render().split("\n")) {
                if (line.startsWith(".") || line.startsWith("'")) {
                    assertTrue(MACROS.contains(line.split(" ", 2)[0]), "not a macro: " + line);
                }
            }
        }
    }

    @Test
    void escapesBackslashesAndHyphens() {
        assertEquals("\\-\\-export a\\eb", ManPage.escape("--export a\\b"));
    }
}
