package dst.server.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import dst.runtime.json.Json;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * Answers one request line with one reply line, then closes: parses {@code {"command":"NAME",...}}, runs the
 * command on the control thread (not the event loop: a command may block) and writes its {@link ControlReply}.
 * Strings hold no buffers: nothing to release. Stateless, so shared by every control connection.
 */
@ChannelHandler.Sharable
final class ControlHandler extends SimpleChannelInboundHandler<String> {
    private static final Logger LOG = Logger.getLogger(ControlHandler.class.getName());

    private final ControlCommands commands;
    private final ExecutorService worker;

    ControlHandler(ControlCommands commands, ExecutorService worker) {
        this.commands = commands;
        this.worker = worker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
        ctx.channel().config().setAutoRead(false); // one request per connection
        ctx.pipeline().remove("timeout"); // it bounds the request only: a command may take longer
        try {
            worker.execute(() -> answer(ctx, run(line)));
        } catch (RejectedExecutionException e) {
            answer(ctx, ControlReply.failure(new IllegalStateException("the server is shutting down")));
        }
    }

    private ControlReply run(String line) {
        try {
            JsonNode request = Json.parse(line);
            String name = request.path("command").asText("");
            ControlCommand command = commands.get(name).orElseThrow(() -> new IllegalArgumentException(
                    "unknown control command '" + name + "' (this server knows: " + String.join(", ", commands.names()) + ")"));
            LOG.fine(() -> "control: " + name);
            return ControlReply.success(command.run(request));
        } catch (Exception e) {
            return ControlReply.failure(e);
        }
    }

    private static void answer(ChannelHandlerContext ctx, ControlReply reply) {
        ctx.writeAndFlush(Json.line(reply) + "\n").addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a too-long line or a peer that went away: nothing to answer
        LOG.fine(() -> "control connection: " + cause);
        ctx.close();
    }
}
