package dst.runtime.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unix domain sockets through native epoll (Linux only): no TCP stack, and access is controlled by
 * the socket file's mode. A stale socket file left by a dead server is removed before listening;
 * a live one is not touched.
 */
final class UnixTransport implements Transport {
    private final Path socket;

    UnixTransport(Path socket) {
        this.socket = socket.toAbsolutePath();
    }

    private static void requireEpoll() {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("Unix sockets need Netty's native epoll transport, which did not load: "
                    + Epoll.unavailabilityCause());
        }
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        requireEpoll();
        return EpollIoHandler.newFactory();
    }

    @Override
    public ServerBootstrap configure(ServerBootstrap b) {
        requireEpoll();
        return b.channel(EpollServerDomainSocketChannel.class);
    }

    @Override
    public Bootstrap configure(Bootstrap b) {
        requireEpoll();
        return b.channel(EpollDomainSocketChannel.class);
    }

    @Override
    public DomainSocketAddress address() {
        return new DomainSocketAddress(socket.toString());
    }

    @Override
    public void beforeListen() throws IOException {
        if (!Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(socket.getParent());
            return;
        }
        int mode = (Integer) Files.getAttribute(socket, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0140000) throw new IOException(socket + " exists and is not a socket; not replacing it");
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException(socket + " is in use by a running server");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().endsWith("in use by a running server")) throw e;
            Files.delete(socket); // nobody answers: left over by a server that died
        }
    }

    @Override
    public void afterClose() {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort: the next start removes a stale file anyway
        }
    }

    @Override
    public String describe() {
        return UNIX_PREFIX + socket;
    }
}
