package dst.it.docker;

import org.testcontainers.containers.Network;

import java.util.Map;

/**
 * A user-defined bridge network for several dst containers (multi-server tests). Ports published
 * from it bind to 127.0.0.1 only ({@code com.docker.network.bridge.host_binding_ipv4}), so test
 * traffic stays between the containers and this machine's loopback.
 */
public final class DstNetwork {
    private DstNetwork() {
    }

    public static Network create() {
        return Network.builder()
                .driver("bridge")
                .createNetworkCmdModifier(cmd -> cmd
                        .withOptions(Map.of("com.docker.network.bridge.host_binding_ipv4", "127.0.0.1"))
                        .withLabels(DockerRig.LABELS))
                .build();
    }
}
