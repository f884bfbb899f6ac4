package dst.server.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import dst.runtime.cli.Sizes;
import dst.server.net.DstServer;

/**
 * {@code resize}: {@code {"command":"resize","export":NAME,"size":"SIZE"}} grows an export while clients use it
 * ({@link DstServer#resize}); the result is {@link DstServer.Resized} (export, oldSize, newSize, notified, attached).
 */
final class ResizeCommand implements ControlCommand {
    private final DstServer server;

    ResizeCommand(DstServer server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "resize";
    }

    @Override
    public Object run(JsonNode request) throws Exception {
        String export = request.path("export").asText("");
        String size = request.path("size").asText("");
        if (export.isEmpty() || size.isEmpty()) throw new IllegalArgumentException("resize needs an export and a size");
        return server.resize(export, Sizes.parse(size));
    }
}
