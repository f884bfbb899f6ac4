package dst.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dst.runtime.cli.Sizes;
import picocli.CommandLine.Command;

/** {@code dst-server ctl status}: the running server's exports and connected clients. */
@Command(name = "status", mixinStandardHelpOptions = true, header = "Show a running server's exports and connected clients.",
        description = {"Exports with size, backend, read-only and access rules; connected clients with identity, address, " +
                "front door (dst or nbd), export, requests in flight and bytes read and written since their session opened.",
                "",
                "--json prints the reply's result: {version, listen, nbdListen, exports: [{name, size, blockSize, backend, " +
                "readOnly, access, clients}], clients: [{session, identity, address, protocol, export, inFlight, requests, " +
                "bytesRead, bytesWritten}]}. Sizes and byte counts are bytes; identity is \"anonymous\" without a key."},
        footer = {"", "Examples:", "  dst-server ctl status", "  dst-server ctl status --json | jq '.clients[].identity'"})
final class CtlStatusCommand extends CtlSubcommand {
    @Override
    ObjectNode request() {
        return request("status");
    }

    @Override
    void print(JsonNode status) {
        System.out.println("dst-server " + status.path("version").asText() + " on " + status.path("listen").asText()
                + (status.path("nbdListen").isTextual() ? ", NBD on " + status.path("nbdListen").asText() : ""));
        System.out.println();
        System.out.printf("%-16s %10s %-9s %-8s %-30s %s%n", "EXPORT", "SIZE", "MODE", "CLIENTS", "BACKEND", "ACCESS");
        for (JsonNode e : status.path("exports")) {
            System.out.printf("%-16s %10s %-9s %-8d %-30s %s%n", e.path("name").asText(), Sizes.format(e.path("size").asLong()),
                    e.path("readOnly").asBoolean() ? "ro" : "rw", e.path("clients").asInt(), e.path("backend").asText(),
                    e.path("access").asText());
        }
        System.out.println();
        JsonNode clients = status.path("clients");
        if (clients.isEmpty()) {
            System.out.println("no clients connected");
            return;
        }
        System.out.printf("%-16s %-16s %-22s %-5s %-16s %8s %10s %10s%n", "IDENTITY", "EXPORT", "ADDRESS", "PROTO", "SESSION",
                "INFLIGHT", "READ", "WRITTEN");
        for (JsonNode c : clients) {
            System.out.printf("%-16s %-16s %-22s %-5s %-16s %8d %10s %10s%n", c.path("identity").asText(), c.path("export").asText(),
                    c.path("address").asText(), c.path("protocol").asText(), c.path("session").asText(), c.path("inFlight").asInt(),
                    Sizes.format(c.path("bytesRead").asLong()), Sizes.format(c.path("bytesWritten").asLong()));
        }
    }
}
