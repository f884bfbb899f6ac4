package dst.server.ctl;

import dst.runtime.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The server's control socket ({@code dst-server ctl}): a Unix socket, mode 0600 in a directory it creates with
 * mode 0700, answering one JSON request line per connection with one JSON reply line ({@link ControlHandler}).
 * It has its own event loop and one worker thread, so commands run one at a time and never on the data path's
 * threads.
 */
public final class ControlSocket implements Closeable {
    /** Where the control socket is unless {@code --ctl-socket} says otherwise. */
    public static final String DEFAULT_PATH = "/run/dst-server/ctl.sock";

    private final Path path;
    private final Transport transport;
    private final EventLoopGroup group;
    private final ExecutorService worker;
    private final Channel listener;

    private ControlSocket(Path path, ControlCommands commands) throws IOException {
        this.path = path.toAbsolutePath();
        this.transport = Transport.unix(this.path);
        Path dir = this.path.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        transport.beforeListen(); // refuses a socket a live server answers on; removes a dead one's
        this.group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dst-ctl");
            t.setDaemon(true);
            return t;
        });
        try {
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            this.listener = transport.configure(new ServerBootstrap().group(group))
                    .childHandler(new ControlInitializer(new ControlHandler(commands, worker), uid))
                    .bind(transport.address()).syncUninterruptibly().channel();
            Files.setPosixFilePermissions(this.path, PosixFilePermissions.fromString("rw-------"));
        } catch (RuntimeException | IOException e) {
            shutdownThreads();
            throw new IOException("cannot open the control socket " + this.path + ": " + e.getMessage(), e);
        }
    }

    /** Opens the control socket at {@code path}; fails when another live server answers there. */
    public static ControlSocket open(Path path, ControlCommands commands) throws IOException {
        return new ControlSocket(path, commands);
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        shutdownThreads();
        transport.afterClose();
    }

    private void shutdownThreads() {
        worker.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
