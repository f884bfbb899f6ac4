package dst.server.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One command of the control socket ({@code dst-server ctl NAME}): a new command is one class implementing this,
 * added to {@link ControlCommands#standard}. It runs on the control socket's own thread, one command at a time,
 * never on an event loop, so it may block briefly (read a file, wait for a channel to close).
 */
public interface ControlCommand {
    /** The name a request asks for ({@code {"command":"NAME", ...}}). */
    String name();

    /**
     * Runs the command.
     *
     * @param request the whole request object: its other fields are the command's arguments
     * @return the reply's {@code result} (a record, a map, or null): serialized with {@link dst.runtime.json.Json}
     * @throws IllegalArgumentException for bad arguments (exit 2 at the caller); any other exception is a failure
     *                                  whose message the caller prints (exit 1, or the code of a
     *                                  {@link dst.runtime.cli.ExitCodes.Coded})
     */
    Object run(JsonNode request) throws Exception;
}
