package dst.server.ctl;

import dst.server.auth.ClientKeys;
import dst.server.auth.ServerSecurity;
import dst.server.export.AccessFile;
import dst.server.export.Export;
import dst.server.export.ExportAccess;
import dst.server.net.DstServer;
import dst.server.net.PeerAddress;
import dst.server.net.Session;
import io.netty.channel.Channel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Re-reads who may use the server, the clients file and the access file, applies them to new logins, and
 * disconnects every connected client the new rules no longer admit as it was admitted (key removed, no longer
 * allowed on its export, or allowed to read only where it had been granted writing). All or nothing: a file that
 * does not parse changes nothing. Run by {@code dst-server ctl reload} and by SIGHUP; one reload at a time.
 */
public final class AccessReload {
    private static final Logger LOG = Logger.getLogger(AccessReload.class.getName());

    /** What a reload did. Component names are the JSON fields of {@code ctl reload --json}. */
    public record Result(int identities, List<String> added, List<String> removed, List<String> exportsWithFileRules,
                         List<Disconnected> disconnected) {
    }

    /** A client cut off by a reload, and why. */
    public record Disconnected(String identity, String address, String export, String session, String why) {
    }

    private final DstServer server;
    private final ServerSecurity security;
    private final Path clientsFile;
    private final Path accessFile;

    /** @param accessFile the {@code --access-file}, or null without one */
    public AccessReload(DstServer server, ServerSecurity security, Path clientsFile, Path accessFile) {
        this.server = server;
        this.security = security;
        this.clientsFile = clientsFile;
        this.accessFile = accessFile;
    }

    /** The access file's rules, applied before the first client: a bad file stops the server from starting. */
    public static void applyAccessFile(Map<String, Export> exports, Path accessFile) throws IOException {
        if (accessFile == null) return;
        Map<String, ExportAccess> rules = AccessFile.load(accessFile, exports.keySet());
        for (Export e : exports.values()) e.overrideAccess(rules.get(e.name()));
    }

    public synchronized Result reload() throws IOException {
        ClientKeys keys = ClientKeys.load(clientsFile);
        Map<String, ExportAccess> rules = accessFile == null ? Map.of() : AccessFile.load(accessFile, server.exports().keySet());
        ClientKeys before = security.keys();
        security.replaceKeys(keys);
        for (Export e : server.exports().values()) e.overrideAccess(rules.get(e.name()));
        List<String> added = keys.names().stream().filter(n -> !before.contains(n)).toList();
        List<String> removed = before.names().stream().filter(n -> !keys.contains(n)).toList();
        List<Disconnected> cut = new ArrayList<>();
        for (Session s : server.sessions()) {
            Channel ch = s.channel();
            Export export = server.exports().get(s.exportName());
            if (ch == null || !ch.isActive() || export == null) continue;
            String why = whyNoLonger(s, export, keys);
            if (why == null) continue;
            Disconnected d = new Disconnected(name(s), PeerAddress.withPort(ch), s.exportName(), Long.toHexString(s.id()), why);
            LOG.warning("reload: disconnecting " + d.identity() + " (" + d.address() + ", export " + d.export() + ", session "
                    + d.session() + "): " + why);
            ch.close();
            cut.add(d);
        }
        LOG.info("reload: " + keys.size() + " client identities from " + clientsFile + (added.isEmpty() ? "" : ", added " + added)
                + (removed.isEmpty() ? "" : ", removed " + removed)
                + (accessFile == null ? "" : ", access file " + accessFile + " has rules for " + rules.keySet())
                + ", " + cut.size() + " client(s) disconnected");
        return new Result(keys.size(), added, removed, List.copyOf(rules.keySet()), cut);
    }

    /** Why the new rules no longer admit the session as it was admitted, or null when they still do. */
    private static String whyNoLonger(Session s, Export export, ClientKeys keys) {
        if (s.viaKey() && !keys.contains(s.owner())) return "its key was removed from the clients file";
        ExportAccess.Level level = export.access().levelFor(s.owner());
        if (level == ExportAccess.Level.NONE) return "the rules of export '" + export.name() + "' no longer allow it (" + export.access() + ")";
        if (level == ExportAccess.Level.READ && !s.readOnly()) return "it may now only read export '" + export.name() + "'";
        return null;
    }

    private static String name(Session s) {
        return s.owner().isEmpty() ? "anonymous" : s.owner();
    }
}
