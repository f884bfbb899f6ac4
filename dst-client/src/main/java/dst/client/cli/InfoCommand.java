package dst.client.cli;

import dst.client.core.ClientConfig;
import dst.client.core.Protocol;
import dst.client.net.RemoteDisk;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code dst-client info}: connect, print what was negotiated, disconnect. */
@Command(name = "info", mixinStandardHelpOptions = true, header = "Show what a server negotiates for an export.",
        description = "Connects, runs the handshake and prints the export's size, block size, limits and features.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TARGET", description = "The export: HOST[:PORT]/EXPORT (dst), or an NBD URI (nbd://HOST[:PORT]/EXPORT).")
    String target;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        ClientConfig config = connection.config(target);
        try (RemoteDisk disk = RemoteDisk.connect(config)) { // what the server offered: the connection itself, no layers
            ExportInfo i = disk.info();
            // NBD: the name asked for (i.name() is the local file name; the server's default export has none)
            boolean nbd = disk.config().protocol() == Protocol.NBD;
            System.out.printf("export:        %s%n", nbd ? ListCommand.exportInDetail(config.export()) : i.name());
            System.out.printf("server:        %s%n", config.target());
            System.out.printf("size:          %d bytes (%s)%n", i.size(), Human.bytes(i.size()));
            System.out.printf("block size:    %d%n", i.blockSize());
            System.out.printf("max request:   %d bytes%n", i.maxRequest());
            System.out.printf("read-only:     %s%n", i.readOnly() ? "yes" : "no");
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
