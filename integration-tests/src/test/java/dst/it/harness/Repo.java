package dst.it.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the build put things. Tests run with the module directory as working directory; the pom passes
 * the repository root as {@code dst.repo.root} so that IDE runs and Maven runs agree.
 */
public final class Repo {
    private Repo() {
    }

    public static Path root() {
        String configured = System.getProperty("dst.repo.root");
        Path root = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().getParent();
        return root.toAbsolutePath().normalize();
    }

    /** {@code dst-server/target/dst-server.jar}; fails with a hint when it has not been packaged. */
    public static Path serverJar() {
        return jar("dst-server");
    }

    /** {@code dst-client/target/dst-client.jar}. */
    public static Path clientJar() {
        return jar("dst-client");
    }

    private static Path jar(String module) {
        Path jar = root().resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw package (or verify) so it gets built first");
        }
        return jar;
    }

    /** A directory under this module's {@code target/} for logs and scratch files, created when missing. */
    public static Path targetDir(String name) {
        Path dir = root().resolve("integration-tests").resolve("target").resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir;
    }

    /** The java launcher of the JVM running the tests, so child processes use the same JDK. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
