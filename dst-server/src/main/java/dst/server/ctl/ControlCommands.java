package dst.server.ctl;

import dst.server.net.DstServer;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The commands a control socket answers, by name. Filled before the socket opens, read-only afterwards. */
public final class ControlCommands {
    private final Map<String, ControlCommand> byName = new TreeMap<>();

    /** The commands of a running server; {@code reload} re-reads its clients and access files. */
    public static ControlCommands standard(DstServer server, AccessReload reload) {
        return new ControlCommands()
                .add(new StatusCommand(server))
                .add(new ReloadCommand(reload));
    }

    public ControlCommands add(ControlCommand command) {
        if (byName.putIfAbsent(command.name(), command) != null) {
            throw new IllegalArgumentException("control command '" + command.name() + "' registered twice");
        }
        return this;
    }

    public Optional<ControlCommand> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
