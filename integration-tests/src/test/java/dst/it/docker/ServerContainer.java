package dst.it.docker;

import com.github.dockerjava.api.DockerClient;
import dst.it.harness.Repo;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One dst-server in a container of the {@code dst-server:it} image, serving {@code /data/EXPORT.img}
 * from a host directory (a bind mount, so the backing file outlives the container and can be checked
 * from the host), published on a fixed port of 127.0.0.1 so that a client on the host finds it at the
 * same address after any restart.
 *
 * <p>Faults act on the same container, as an operator would: {@link #stop()} (SIGTERM, graceful),
 * {@link #kill()} (SIGKILL), {@link #pause()} (frozen, sockets open), {@link #disconnect()} (off its
 * network), and {@link #start()}, {@link #unpause()}, {@link #connect()} bring it back.
 * The server runs as the owner of the data directory, so a developer's {@code mvn clean} can delete it.
 */
public final class ServerContainer implements AutoCloseable {
    public static final int PORT = 7070;
    private static final String LISTENING = "listening on";

    private final GenericContainer<?> container;
    private final Path dataDir;
    private final int hostPort;
    private final Network network;
    private final String alias;

    private ServerContainer(Path dataDir, String export, long size, Network network, String alias) {
        this.dataDir = dataDir;
        this.hostPort = freePort();
        this.network = network;
        this.alias = alias;
        String owner = owner(dataDir);
        GenericContainer<?> c = new GenericContainer<>(DockerRig.serverImage())
                .withLabels(DockerRig.LABELS)
                .withFileSystemBind(dataDir.toString(), "/data")
                .withCommand("--listen", "0.0.0.0:" + PORT, "--export", export + "=/data/" + export + ".img,size=" + size,
                        "--idle-timeout", "60", "--anonymous")
                .withCreateContainerCmdModifier(cmd -> cmd.withUser(owner))
                .waitingFor(Wait.forLogMessage(".*" + LISTENING + ".*", 1).withStartupTimeout(Duration.ofSeconds(60)));
        c.setPortBindings(List.of("127.0.0.1:" + hostPort + ":" + PORT));
        if (network != null) c.withNetwork(network).withNetworkAliases(alias);
        this.container = c;
    }

    /** Starts a server for {@code EXPORT} ({@code size} bytes, sparse) with its files in {@code dataDir}. */
    public static ServerContainer start(Path dataDir, String export, long size) {
        return start(dataDir, export, size, null, null);
    }

    /** The same, attached to {@code network} under the DNS name {@code alias}. */
    public static ServerContainer start(Path dataDir, String export, long size, Network network, String alias) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServerContainer s = new ServerContainer(dataDir, export, size, network, alias);
        s.container.start();
        return s;
    }

    /** Where a client on the host connects: 127.0.0.1 and this port, across restarts. */
    public int hostPort() {
        return hostPort;
    }

    public String id() {
        return container.getContainerId();
    }

    public Path dataDir() {
        return dataDir;
    }

    public String logs() {
        return container.getLogs();
    }

    private DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /** {@code docker stop}: SIGTERM, the server answers what it has and forces the export to disk. */
    public void stop() {
        docker().stopContainerCmd(id()).withTimeout(30).exec();
    }

    /** {@code docker kill}: SIGKILL, nothing is answered any more. */
    public void kill() {
        docker().killContainerCmd(id()).exec();
        waitUntilStopped();
    }

    /** {@code docker start} after stop or kill; returns when the server listens again. */
    public void start() {
        int before = count(logs(), LISTENING);
        docker().startContainerCmd(id()).exec();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count(logs(), LISTENING) <= before) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("server did not listen again:\n" + logs());
            sleep(20);
        }
    }

    /** {@code docker pause}: every process frozen; the kernel still holds its sockets. */
    public void pause() {
        docker().pauseContainerCmd(id()).exec();
    }

    public void unpause() {
        docker().unpauseContainerCmd(id()).exec();
    }

    /** {@code docker network disconnect}: the container loses its network (and its published port). */
    public void disconnect() {
        docker().disconnectFromNetworkCmd().withNetworkId(networkId()).withContainerId(id()).exec();
    }

    /** {@code docker network connect}, under the same alias. */
    public void connect() {
        var endpoint = new com.github.dockerjava.api.model.ContainerNetwork();
        if (alias != null) endpoint.withAliases(alias);
        docker().connectToNetworkCmd().withNetworkId(networkId()).withContainerId(id()).withContainerNetwork(endpoint).exec();
    }

    private String networkId() {
        return network != null ? network.getId() : "bridge";
    }

    /** True when a TCP connection to the published port is accepted now. */
    public boolean accepting() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", hostPort), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void waitUntilStopped() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Boolean.TRUE.equals(docker().inspectContainerCmd(id()).exec().getState().getRunning())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("container " + id() + " still running");
            sleep(20);
        }
    }

    /** Stops and removes the container (the data directory stays). */
    @Override
    public void close() {
        try {
            if (Boolean.TRUE.equals(docker().inspectContainerCmd(id()).exec().getState().getPaused())) unpause();
        } catch (RuntimeException ignored) {
            // already gone
        }
        container.stop();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    private static String owner(Path dir) {
        try {
            return Files.getAttribute(dir, "unix:uid") + ":" + Files.getAttribute(dir, "unix:gid");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A data directory under integration-tests/target/docker-data/NAME, emptied. */
    public static Path freshDataDir(String name) {
        Path dir = Repo.targetDir("docker-data").resolve(name);
        try {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
