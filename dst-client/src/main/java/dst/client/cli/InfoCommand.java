package dst.client.cli;

import dst.client.core.ClientConfig;
import dst.client.core.Protocol;
import dst.client.net.RemoteDisk;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Tlv;
import dst.protocol.Features;
import picocli.CommandLine.Command;
import dst.runtime.json.Json;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code dst-client info}: connect, print what was negotiated, disconnect. */
@Command(name = "info", mixinStandardHelpOptions = true, header = "Show what a server negotiates for an export.",
        description = {"Connects, runs the handshake and prints the export's size, block size, limits and features.",
                "",
                "--json prints {export, server, protocol (dst or nbd), version, size, blockSize, maxRequest, readOnly, " +
                "heldBy (why another writer may not attach now: the exclusive holder; else null), " +
                "features: [NAME], session (hex; null over NBD), offered (what an NBD server offered; null over dst), " +
                "crc32c}. Sizes are bytes. readOnly says whether this client may write the export at all."})
final class InfoCommand implements Callable<Integer> {
    /** {@code info --json}; the component names are the documented field names. */
    record Info(String export, String server, String protocol, int version, long size, int blockSize, int maxRequest,
                boolean readOnly, String heldBy, java.util.List<String> features, String session, String offered, boolean crc32c) {
    }

    @Option(names = "--json", description = "Print JSON (field names above).")
    boolean json;

    @Parameters(index = "0", paramLabel = "TARGET", description = "The export: HOST[:PORT]/EXPORT (dst), or an NBD URI (nbd://HOST[:PORT]/EXPORT).")
    String target;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        ClientConfig config = connection.config(target, true);
        if (!connection.readOnly) {
            // Asked as a shared writer, "read-only" says whether this client may write (a reader is always granted
            // read-only), and no exclusive claim is taken; as a reader when an exclusive holder refuses that.
            config = connection.config(target, false).toBuilder().attach(Tlv.AttachFlags.SHARED).build();
        }
        RemoteDisk connected;
        String heldBy = null;
        try {
            connected = RemoteDisk.connect(config);
        } catch (DstException e) {
            if (e.errno() != Errno.EBUSY) throw e;
            // Refused only because a writer holds it (an export read-only for this client makes it a reader, never
            // EBUSY): writable for this client, just not now. Asked again as a reader for the rest.
            heldBy = e.getMessage();
            config = connection.config(target, true);
            connected = RemoteDisk.connect(config);
        }
        boolean held = heldBy != null;
        try (RemoteDisk disk = connected) { // what the server offered: the connection itself, no layers
            ExportInfo i = disk.info();
            boolean nbd = disk.config().protocol() == Protocol.NBD;
            if (json) {
                String export = nbd ? config.export() : i.name(); // NBD: the name asked for ("" = default), not the local name
                System.out.println(Json.pretty(new Info(export, config.target(), nbd ? "nbd" : "dst", i.version(), i.size(),
                        i.blockSize(), i.maxRequest(), i.readOnly() && !held, heldBy, Features.names(i.features()),
                        nbd ? null : String.format("%016x", i.sessionId()), nbd ? disk.offered() : null,
                        i.has(Features.CRC32C))));
                return 0;
            }
            // NBD: the name asked for (i.name() is the local file name; the server's default export has none)
            System.out.printf("export:        %s%n", nbd ? ListCommand.exportInDetail(config.export()) : i.name());
            System.out.printf("server:        %s%n", config.target());
            System.out.printf("size:          %d bytes (%s)%n", i.size(), Human.bytes(i.size()));
            System.out.printf("block size:    %d%n", i.blockSize());
            System.out.printf("max request:   %d bytes%n", i.maxRequest());
            System.out.printf("read-only:     %s%n", i.readOnly() && !held ? "yes" : "no");
            if (held) System.out.printf("held by:       %s%n", heldBy);
            System.out.printf("features:      %s%n", Features.describe(i.features()));
            if (nbd) {
                System.out.printf("protocol:      NBD (fixed newstyle)%n");
                System.out.printf("offered:       %s%n", disk.offered());
                System.out.printf("crc32c:        not available over NBD (no checksums on the wire)%n");
            } else {
                System.out.printf("protocol:      v%d%n", i.version());
                System.out.printf("session:       %016x%n", i.sessionId());
            }
        }
        return 0;
    }
}
