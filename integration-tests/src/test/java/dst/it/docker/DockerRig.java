package dst.it.docker;

import dst.it.harness.Repo;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

import java.nio.file.Path;
import java.util.Map;

/**
 * The Docker test rig: a reachable engine, the local base image, and the dst images built from the
 * packaging module's Dockerfiles and the jars of this build. Nothing is ever pulled (no registry is
 * reachable): the base image {@code dst-jre:local} is made by {@code scripts/docker-up.sh}.
 *
 * <p>Every container and network a test makes carries the label {@code dst.test}, so
 * {@code scripts/docker-down.sh} can remove whatever a crashed run left behind (there is no Ryuk).
 */
public final class DockerRig {
    public static final String BASE_IMAGE = "dst-jre:local";
    public static final Map<String, String> LABELS = Map.of("dst.test", "true");
    private static String serverImage;
    private static String clientImage;

    private DockerRig() {
    }

    private static String unavailable;
    private static boolean checked;

    /**
     * Skips the calling test (never passes it) unless an engine answers and the base image is there;
     * call it from {@code @BeforeEach} so that every skipped test is counted and says why.
     */
    public static synchronized void assumeAvailable() {
        if (!checked) {
            unavailable = whyUnavailable();
            checked = true;
            if (unavailable != null) System.err.println("DockerRig: " + unavailable);
        }
        Assumptions.assumeTrue(unavailable == null, unavailable);
    }

    private static String whyUnavailable() {
        boolean engine;
        try {
            engine = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            engine = false;
        }
        if (!engine) return "no Docker engine reachable: Docker tests skipped (start one with scripts/docker-up.sh)";
        boolean base;
        try {
            DockerClientFactory.instance().client().inspectImageCmd(BASE_IMAGE).exec();
            base = true;
        } catch (RuntimeException e) {
            base = false;
        }
        if (!base) return "Docker engine found but no " + BASE_IMAGE + " image: Docker tests skipped (build it with scripts/docker-up.sh)";
        return null;
    }

    /** {@code dst-server:it}, built once per test JVM from packaging/src/docker/server/Dockerfile and dst-server.jar. */
    public static synchronized String serverImage() {
        if (serverImage == null) serverImage = build("dst-server:it", "server", Repo.serverJar());
        return serverImage;
    }

    /** {@code dst-client:it}, from packaging/src/docker/client/Dockerfile and dst-client.jar. */
    public static synchronized String clientImage() {
        if (clientImage == null) clientImage = build("dst-client:it", "client", Repo.clientJar());
        return clientImage;
    }

    private static String build(String tag, String which, Path jar) {
        Path dockerfile = Repo.root().resolve("packaging/src/docker").resolve(which).resolve("Dockerfile");
        // Classic builder, FROM dst-jre:local which is present, so nothing is pulled.
        return new ImageFromDockerfile(tag, false)
                .withFileFromPath("Dockerfile", dockerfile)
                .withFileFromPath(jar.getFileName().toString(), jar)
                .get();
    }
}
