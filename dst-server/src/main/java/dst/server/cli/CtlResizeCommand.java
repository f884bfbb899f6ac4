package dst.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dst.runtime.cli.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dst-server ctl resize EXPORT SIZE}: grow an export while clients use it. */
@Command(name = "resize", mixinStandardHelpOptions = true, header = "Grow an export while clients are attached (online resize).",
        description = {"SIZE is the new size (e.g. 11G), a multiple of the export's block size. A file export is extended " +
                "(sparse), a memory export grows; a block device export is refused (its size is the device's). Attached " +
                "dst clients are told at once and their devices grow (FUSE+loop; ublk needs Linux 6.16's UPDATE_SIZE, else " +
                "the device keeps its size until attached again, and 'dst-client status' says so); then grow the " +
                "filesystem (resize2fs, xfs_growfs). NBD clients, and dst clients that did not ask to be told, see the " +
                "new size when they reconnect. Shrinking is refused while any client session uses the export (exit 4).",
                "",
                "--json prints {export, oldSize, newSize, notified, attached}."},
        footer = {"", "Example:", "  dst-server ctl resize disk0 20G && resize2fs /dev/loop0   # on the client"})
final class CtlResizeCommand extends CtlSubcommand {
    @Parameters(index = "0", paramLabel = "EXPORT", description = "The export to resize.")
    String export;

    @Parameters(index = "1", paramLabel = "SIZE", description = "Its new size (bytes, or with K/M/G/T).")
    String size;

    @Override
    ObjectNode request() {
        Sizes.parse(size); // a bad size is a usage error here, before anything is sent
        return request("resize").put("export", export).put("size", size);
    }

    @Override
    void print(JsonNode r) {
        System.out.println("export " + r.path("export").asText() + ": " + r.path("oldSize").asLong() + " -> "
                + r.path("newSize").asLong() + " bytes; " + r.path("notified").asInt() + " connected client(s) told, "
                + r.path("attached").asInt() + " session(s) attached");
    }
}
