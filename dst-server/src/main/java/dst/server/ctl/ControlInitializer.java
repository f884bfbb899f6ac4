package dst.server.ctl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * Assembles a control connection's pipeline:
 * <pre>
 * timeout -> LineBasedFrameDecoder(64 KiB) -> StringDecoder -> StringEncoder -> ControlHandler
 * </pre>
 * Before anything, the peer's credentials (SO_PEERCRED) must name root or the server's own user: the socket
 * file's mode already says so, and this holds even if someone loosens it. A request line longer than
 * {@link #MAX_LINE} or slower than {@link #TIMEOUT_SECONDS} ends the connection.
 */
final class ControlInitializer extends ChannelInitializer<Channel> {
    private static final Logger LOG = Logger.getLogger(ControlInitializer.class.getName());
    static final int MAX_LINE = 64 * 1024;
    static final int TIMEOUT_SECONDS = 10;

    private final ControlHandler handler;
    private final int ownUid;

    ControlInitializer(ControlHandler handler, int ownUid) {
        this.handler = handler;
        this.ownUid = ownUid;
    }

    @Override
    protected void initChannel(Channel ch) throws IOException {
        if (ch instanceof EpollDomainSocketChannel unix) {
            int uid = unix.peerCredentials().uid();
            if (uid != 0 && uid != ownUid) {
                LOG.warning("control socket: refused a connection from uid " + uid + " (only root and uid " + ownUid + ")");
                ch.close();
                return;
            }
        }
        ChannelPipeline p = ch.pipeline();
        p.addLast("timeout", new ReadTimeoutHandler(TIMEOUT_SECONDS));
        p.addLast("lines", new LineBasedFrameDecoder(MAX_LINE));
        p.addLast("decoder", new StringDecoder(StandardCharsets.UTF_8));
        p.addLast("encoder", new StringEncoder(StandardCharsets.UTF_8));
        p.addLast("control", handler);
    }
}
