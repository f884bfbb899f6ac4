package dst.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Where `package` put the distribution files; the failsafe configuration passes these properties. */
final class Dist {
    private Dist() {
    }

    static final Path TARGET = Path.of(System.getProperty("dst.packaging.target", "target")).toAbsolutePath().normalize();
    static final Path SRC = Path.of(System.getProperty("dst.packaging.src", "src")).toAbsolutePath().normalize();
    static final String VERSION = System.getProperty("dst.packaging.version", "unknown");

    static Path tarball() {
        return TARGET.resolve("dst-" + VERSION + ".tar.gz");
    }

    /** The one {@code dst_*_all.deb} jdeb wrote (its name carries the Debian form of the version). */
    static Path deb() throws IOException {
        try (Stream<Path> s = Files.list(TARGET)) {
            return s.filter(p -> p.getFileName().toString().matches("dst_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no dst_*_all.deb in " + TARGET + ": run `package` first"));
        }
    }

    static Path makeRootfs() {
        return SRC.resolve("docker/jre/make-rootfs.sh");
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
