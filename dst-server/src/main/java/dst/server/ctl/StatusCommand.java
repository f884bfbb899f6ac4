package dst.server.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import dst.runtime.cli.Version;
import dst.server.export.Export;
import dst.server.net.DstServer;
import dst.server.net.PeerAddress;
import dst.server.net.Session;
import io.netty.channel.Channel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code status}: the exports and the connected clients, so an operator sees who is using what. The records'
 * component names are the JSON field names of {@code dst-server ctl status --json}: keep them stable.
 */
final class StatusCommand implements ControlCommand {
    /** The whole reply. */
    record ServerStatus(String version, String listen, String nbdListen, List<ExportStatus> exports, List<ClientStatus> clients) {
    }

    /** One export; {@code clients} counts its connected sessions. */
    record ExportStatus(String name, long size, int blockSize, String backend, boolean readOnly, String access, int clients) {
    }

    /** One connected client session ({@code identity} "anonymous" for a client without one). */
    record ClientStatus(String session, String identity, String address, String protocol, String export, int inFlight,
                        long requests, long bytesRead, long bytesWritten) {
    }

    private final DstServer server;

    StatusCommand(DstServer server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "status";
    }

    @Override
    public Object run(JsonNode request) {
        List<ClientStatus> clients = new ArrayList<>();
        for (Session s : server.sessions()) {
            Channel ch = s.channel();
            if (ch == null || !ch.isActive()) continue;
            clients.add(new ClientStatus(Long.toHexString(s.id()), s.owner().isEmpty() ? "anonymous" : s.owner(), PeerAddress.withPort(ch),
                    s.protocol(), s.exportName(), s.inflight(), s.requests(), s.bytesRead(), s.bytesWritten()));
        }
        clients.sort(Comparator.comparing(ClientStatus::export).thenComparing(ClientStatus::identity).thenComparing(ClientStatus::address));
        List<ExportStatus> exports = new ArrayList<>();
        for (Export e : server.exports().values()) {
            int n = (int) clients.stream().filter(c -> c.export().equals(e.name())).count();
            exports.add(new ExportStatus(e.name(), e.size(), e.blockSize(), e.backend().describe(), e.readOnly(),
                    e.access().toString(), n));
        }
        return new ServerStatus(Version.get(), server.describeAddress(), server.describeNbdAddress(), exports, clients);
    }
}
