package dst.server.ctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import dst.runtime.cli.ExitCodes;

/**
 * The one line a control socket answers: {@code {"ok":true,"result":...}} or
 * {@code {"ok":false,"error":"why","exit":N}}, N the exit code {@code dst-server ctl} then ends with.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlReply(boolean ok, Object result, String error, Integer exit) {
    static ControlReply success(Object result) {
        return new ControlReply(true, result, null, null);
    }

    static ControlReply failure(Throwable t) {
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        return new ControlReply(false, null, message, ExitCodes.of(t));
    }
}
