package dst.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dst.runtime.cli.ExitCodes;
import dst.runtime.json.Json;
import dst.server.ctl.ControlClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * What every {@code dst-server ctl} subcommand does: send its one request to the control socket, then print the
 * result for people, or with {@code --json} as it came. A subcommand names its request and prints; nothing else.
 */
abstract class CtlSubcommand implements Callable<Integer> {
    @Mixin
    CtlSocketOption socket;

    @Option(names = "--json", description = "Print the reply's result as JSON (field names above).")
    boolean json;

    /** The request: {@code ControlClient.request(NAME)} plus the subcommand's arguments. */
    abstract ObjectNode request();

    /** Prints {@code result} for people. */
    abstract void print(JsonNode result);

    @Override
    public final Integer call() throws Exception {
        JsonNode result = socket.client().call(request());
        if (json) System.out.println(Json.pretty(result));
        else print(result);
        return ExitCodes.OK;
    }

    static ObjectNode request(String command) {
        return ControlClient.request(command);
    }
}
