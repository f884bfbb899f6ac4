package dst.server.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code reload}: re-read the clients file and the access file, cut off whom they no longer admit ({@link AccessReload}). */
final class ReloadCommand implements ControlCommand {
    private final AccessReload reload;

    ReloadCommand(AccessReload reload) {
        this.reload = reload;
    }

    @Override
    public String name() {
        return "reload";
    }

    @Override
    public Object run(JsonNode request) throws Exception {
        return reload.reload();
    }
}
