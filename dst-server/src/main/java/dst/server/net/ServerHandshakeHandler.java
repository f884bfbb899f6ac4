package dst.server.net;

import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.server.export.Export;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs the server's side of the handshake: HELLO in, WELCOME or ERROR out. On success it fences
 * the session (see {@link Session}) and then asks the initializer to switch the pipeline to the
 * data phase. Handshake frames hold no buffers, so nothing is released here.
 */
final class ServerHandshakeHandler extends SimpleChannelInboundHandler<HandshakeFrame> {
    private static final Logger LOG = Logger.getLogger(ServerHandshakeHandler.class.getName());
    private final Map<String, Export> exports;
    private final SessionRegistry sessions;
    private final ServerConfig config;
    private final ServerInitializer initializer;
    private boolean done;

    ServerHandshakeHandler(Map<String, Export> exports, SessionRegistry sessions, ServerConfig config,
                           ServerInitializer initializer) {
        this.exports = exports;
        this.sessions = sessions;
        this.config = config;
        this.initializer = initializer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HandshakeFrame frame) {
        if (done) {
            return; // a client must wait for WELCOME before sending requests; extra frames are ignored
        }
        done = true;
        try {
            Hello hello = Hello.fromFrame(frame);
            Export export = exports.get(hello.exportName());
            if (export == null) {
                throw new DstException(Errno.ENOENT, "no export named '" + hello.exportName() + "' (this server has: "
                        + String.join(", ", exports.keySet()) + ")");
            }
            int unknownRequired = hello.requiredFeatures() & ~Features.KNOWN;
            if (unknownRequired != 0) {
                throw new DstException(Errno.EOPNOTSUPP, "client requires features this server does not know: 0x"
                        + Integer.toHexString(unknownRequired));
            }
            int features = hello.features() & Features.KNOWN;
            int maxRequest = Math.max(4096, Math.min(hello.maxRequest(), config.maxRequest()));
            Session session = sessions.resumeOrCreate(hello.sessionId(), export.name());
            boolean resumed = session.id() == hello.sessionId();
            ExportInfo info = new ExportInfo(export.name(), export.size(), export.blockSize(), maxRequest,
                    export.readOnly(), features, session.id(), export.id(), Hello.MAX_VERSION, BootId.get());
            ctx.channel().config().setAutoRead(false); // nothing of this connection runs before the fence
            session.takeOver(ctx.channel()).whenComplete((v, e) -> ctx.executor().execute(() -> {
                if (!ctx.channel().isActive()) return;
                // WELCOME first, while the handshake encoder is still in the pipeline: a write from this
                // context after the swap would bypass the (removed) encoder and never reach the client.
                ctx.writeAndFlush(info.toWelcome());
                initializer.startDataPhase(ctx.channel(), export, session, info);
                ctx.channel().config().setAutoRead(true);
                LOG.info(() -> ctx.channel().remoteAddress() + ": " + (resumed ? "resumed" : "opened") + " session "
                        + Long.toHexString(session.id()) + " on export " + export.name() + " (client " + hello.software()
                        + ", features " + Features.describe(features) + ")");
            }));
        } catch (DstException e) {
            LOG.warning(ctx.channel().remoteAddress() + ": handshake refused: " + e.getMessage());
            ctx.writeAndFlush(HandshakeFrame.error(e.errno(), e.reason())).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
