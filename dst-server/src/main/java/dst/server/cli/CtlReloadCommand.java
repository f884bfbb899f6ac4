package dst.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

/** {@code dst-server ctl reload}: the running server re-reads its clients and access files. */
@Command(name = "reload", mixinStandardHelpOptions = true, header = "Re-read the clients file and export rules without a restart.",
        description = {"The server re-reads --clients and --access-file. New logins are judged by them at once, and every " +
                "connected client they no longer admit as it was admitted is disconnected (its key was removed, its " +
                "export no longer allows it, or it may now only read where it could write); the server logs each one. " +
                "A file that does not parse changes nothing (exit 1, the reason printed). SIGHUP does the same.",
                "",
                "--json prints {identities, added: [NAME], removed: [NAME], exportsWithFileRules: [EXPORT], " +
                "disconnected: [{identity, address, export, session, why}]}."},
        footer = {"", "Example:", "  dst-server client remove alice && dst-server ctl reload"})
final class CtlReloadCommand extends CtlSubcommand {
    @Override
    ObjectNode request() {
        return request("reload");
    }

    @Override
    void print(JsonNode r) {
        System.out.println("reloaded: " + r.path("identities").asInt() + " client identities"
                + list(", added ", r.path("added")) + list(", removed ", r.path("removed")));
        for (JsonNode d : r.path("disconnected")) {
            System.out.println("disconnected " + d.path("identity").asText() + " (" + d.path("address").asText() + ", export "
                    + d.path("export").asText() + "): " + d.path("why").asText());
        }
    }

    private static String list(String label, JsonNode names) {
        if (names.isEmpty()) return "";
        StringBuilder sb = new StringBuilder(label);
        names.forEach(n -> sb.append(sb.length() > label.length() ? ", " : "").append(n.asText()));
        return sb.toString();
    }
}
