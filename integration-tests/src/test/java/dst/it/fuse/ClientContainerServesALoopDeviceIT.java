package dst.it.fuse;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import dst.it.docker.DockerRig;
import dst.it.docker.DstNetwork;
import dst.it.docker.ServerContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both programs in containers, as the images are meant to be run: the dst-client image attaches an
 * export of a server container (by name, on their network) as a FUSE + loop device, with only
 * CAP_SYS_ADMIN, /dev/fuse and the loop devices allowed (no --privileged) and the host's /dev
 * mounted so the loop device it makes is the host's. Data written to that device with direct I/O
 * survives a docker kill + start of the server container while a write is under way, reads back
 * exactly, and is in the server's backing file; docker stop of the client detaches the device.
 */
class ClientContainerServesALoopDeviceIT {
    private static final int SIZE = 32 << 20;
    private static final Pattern ATTACHED = Pattern.compile("attached as (/dev/loop\\d+)");

    @TempDir
    Path tmp;
    private Network network;
    private ServerContainer server;
    private GenericContainer<?> client;
    private String device;

    @Test
    void deviceOfTheClientContainerRidesOutAServerKill() throws Exception {
        Host.assumeRig("dd");
        DockerRig.assumeAvailable();
        network = DstNetwork.create();
        Path data = ServerContainer.freshDataDir("client-container");
        server = ServerContainer.start(data, "disk0", SIZE, network, "srv");
        String name = "it-client-" + Long.toHexString(System.nanoTime());
        client = new GenericContainer<>(DockerRig.clientImage())
                .withLabels(DockerRig.LABELS)
                .withNetwork(network)
                .withFileSystemBind("/dev", "/dev")
                .withCommand("attach", "--foreground", "--name", name, "--connect-timeout", "30", "--io-timeout", "180",
                        "srv:" + ServerContainer.PORT + "/disk0")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withCapAdd(Capability.SYS_ADMIN)
                        .withDevices(new Device("rwm", "/dev/fuse", "/dev/fuse"))
                        .withDeviceCgroupRules(List.of("b 7:* rmw", "c 10:237 rmw")) // loop devices, loop-control
                        .withSecurityOpts(List.of("apparmor=unconfined")))
                .waitingFor(Wait.forLogMessage(".*attached as /dev/loop.*", 1).withStartupTimeout(Duration.ofSeconds(90)));
        client.start();
        Matcher m = ATTACHED.matcher(client.getLogs());
        assertTrue(m.find(), "no device in the client's log:\n" + client.getLogs());
        device = m.group(1);

        Path first = pattern(tmp.resolve("first.bin"), 1);
        Path second = pattern(tmp.resolve("second.bin"), 2);
        Host.run("dd", "if=" + first, "of=" + device, "bs=1M", "oflag=direct", "conv=fsync", "status=none");
        assertArrayEquals(Files.readAllBytes(first), readDevice(), "first pattern through the device");

        server.kill();
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                Host.run("dd", "if=" + second, "of=" + device, "bs=1M", "oflag=direct", "conv=fsync", "status=none");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1500);
        server.start();
        writing.get(3, TimeUnit.MINUTES);
        assertArrayEquals(Files.readAllBytes(second), readDevice(), "second pattern through the device, written across the kill");

        // docker stop (SIGTERM), not Testcontainers' stop (a kill): the client must detach in order and exit 0.
        DockerClientFactory.instance().client().stopContainerCmd(client.getContainerId()).withTimeout(60).exec();
        assertTrue(client.getLogs().contains("detached " + device), "no detach in the client's log:\n" + client.getLogs());
        assertEquals(0L, DockerClientFactory.instance().client().inspectContainerCmd(client.getContainerId()).exec().getState().getExitCodeLong());
        assertTrue(Host.run("losetup", "-a").lines().noneMatch(l -> l.contains(name)), "loop device left after docker stop of the client");
        device = null;
        server.stop();
        assertArrayEquals(Files.readAllBytes(second), Files.readAllBytes(data.resolve("disk0.img")), "server's backing file");
    }

    private byte[] readDevice() throws Exception {
        Path back = tmp.resolve("back.bin");
        Host.run("dd", "if=" + device, "of=" + back, "bs=1M", "iflag=direct", "status=none");
        return Files.readAllBytes(back);
    }

    private static Path pattern(Path file, long seed) throws Exception {
        byte[] b = new byte[SIZE];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < b.length; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8; k++) b[i + k] = (byte) (v >>> (8 * k));
        }
        return Files.write(file, b);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) client.stop();
        if (device != null) Host.exec("losetup", "-d", device);
        if (server != null) server.close();
        if (network != null) network.close();
    }
}
