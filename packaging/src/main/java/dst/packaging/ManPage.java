package dst.packaging;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a picocli command as a man page (roff, section 1), from the same model {@code --help}
 * prints, so the installed manual never drifts from the program: name and header, synopsis,
 * description, arguments, options with their defaults, one subsection per subcommand, and the
 * footer (examples, exit codes) kept verbatim.
 */
public final class ManPage {
    private final CommandLine command;
    private final String version;

    public ManPage(CommandLine command, String version) {
        if (command == null) throw new IllegalArgumentException("command is null");
        this.command = command;
        this.version = version == null ? "unknown" : version;
    }

    /** The whole page, ready for {@code man -l}. */
    public String render() {
        CommandSpec spec = command.getCommandSpec();
        StringBuilder out = new StringBuilder();
        out.append(".TH ").append(quote(spec.name().toUpperCase())).append(" 1 \"\" ")
                .append(quote("dst " + version)).append(" \"dst manual\"\n");
        out.append(".SH NAME\n").append(escape(spec.name())).append(" \\- ").append(text(spec.usageMessage().header())).append('\n');
        out.append(".SH SYNOPSIS\n");
        synopsis(out, command);
        if (spec.usageMessage().description().length > 0) {
            out.append(".SH DESCRIPTION\n");
            paragraph(out, spec.usageMessage().description());
        }
        arguments(out, spec, ".SH");
        options(out, spec, ".SH");
        List<CommandLine> subcommands = allSubcommands(command);
        if (!subcommands.isEmpty()) {
            out.append(".SH COMMANDS\n");
            for (CommandLine sub : subcommands) subcommand(out, sub);
        }
        footer(out, spec.usageMessage().footer(), ".SH NOTES");
        out.append(".SH SEE ALSO\n").append(escape(spec.name())).append(" \\-\\-help; dst-server(1), dst-client(1)\n");
        return out.toString();
    }

    private void subcommand(StringBuilder out, CommandLine sub) {
        CommandSpec spec = sub.getCommandSpec();
        out.append(".SS ").append(quote(subName(sub))).append('\n');
        out.append(text(spec.usageMessage().header())).append("\n.PP\n");
        synopsis(out, sub);
        if (spec.usageMessage().description().length > 0) out.append(".PP\n");
        paragraph(out, spec.usageMessage().description());
        arguments(out, spec, ".PP\n.B");
        options(out, spec, ".PP\n.B");
        footer(out, spec.usageMessage().footer(), ".PP");
    }

    private static void synopsis(StringBuilder out, CommandLine cl) {
        String synopsis = cl.getHelp().synopsis(0).strip();
        out.append(".nf\n").append(verbatim(synopsis)).append("\n.fi\n");
    }

    private static void arguments(StringBuilder out, CommandSpec spec, String heading) {
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (params.isEmpty() || params.stream().allMatch(p -> p.description().length == 0)) return;
        out.append(heading).append(" ARGUMENTS\n");
        for (PositionalParamSpec p : params) {
            out.append(".TP\n.I ").append(quote(p.paramLabel())).append('\n');
            paragraph(out, p.description());
        }
    }

    private static void options(StringBuilder out, CommandSpec spec, String heading) {
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (options.isEmpty()) return;
        out.append(heading).append(" OPTIONS\n");
        for (OptionSpec o : options) {
            out.append(".TP\n");
            List<String> names = new ArrayList<>();
            for (String n : o.names()) names.add("\\fB" + escape(n) + "\\fR");
            out.append(String.join(", ", names));
            if (o.arity().max() > 0) out.append(" \\fI").append(escape(o.paramLabel())).append("\\fR");
            out.append('\n');
            paragraph(out, o.description());
        }
    }

    /** Footers hold examples and exit codes laid out by hand: kept line for line. */
    private static void footer(StringBuilder out, String[] footer, String heading) {
        List<String> lines = new ArrayList<>(List.of(footer));
        while (!lines.isEmpty() && lines.get(0).isBlank()) lines.remove(0);
        if (lines.isEmpty()) return;
        out.append(heading).append("\n.nf\n");
        for (String line : lines) out.append(verbatim(line)).append('\n');
        out.append(".fi\n");
    }

    private static void paragraph(StringBuilder out, String[] lines) {
        if (lines.length == 0) return;
        out.append(text(String.join(" ", lines))).append('\n');
    }

    /** Every subcommand a user sees, nested ones too ({@code client add}), depth first. */
    static List<CommandLine> allSubcommands(CommandLine cl) {
        List<CommandLine> all = new ArrayList<>();
        for (CommandLine sub : visibleSubcommands(cl)) {
            all.add(sub);
            all.addAll(allSubcommands(sub));
        }
        return all;
    }

    /** A subcommand's name below its program: {@code "client add"} for {@code dst-server client add}. */
    static String subName(CommandLine sub) {
        String qualified = sub.getCommandSpec().qualifiedName(" ");
        return qualified.substring(qualified.indexOf(' ') + 1);
    }

    /** The direct subcommands a user sees, without picocli's generic {@code help}. */
    static List<CommandLine> visibleSubcommands(CommandLine cl) {
        List<CommandLine> subs = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            CommandLine sub = e.getValue();
            boolean alias = !e.getKey().equals(sub.getCommandName());
            if (alias || sub.getCommandSpec().usageMessage().hidden() || sub.getCommand() instanceof CommandLine.HelpCommand) continue;
            subs.add(sub);
        }
        return subs;
    }

    private static String text(String[] lines) {
        return text(String.join(" ", lines));
    }

    /** Filled text: escaped, and a line never starts with a roff control character. */
    private static String text(String s) {
        return guardLineStart(escape(s));
    }

    /** Unfilled text (inside .nf): escaped line for line. */
    private static String verbatim(String s) {
        StringBuilder out = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            if (out.length() > 0) out.append('\n');
            out.append(guardLineStart(escape(line)));
        }
        return out.toString();
    }

    static String escape(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }

    private static String guardLineStart(String s) {
        return s.startsWith(".") || s.startsWith("'") ? "\\&" + s : s;
    }

    private static String quote(String s) {
        return "\"" + escape(s).replace("\"", "\\(dq") + "\"";
    }
}
