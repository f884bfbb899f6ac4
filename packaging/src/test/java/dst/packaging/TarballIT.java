package dst.packaging;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tarball unpacks anywhere and its launchers run both programs with whatever suitable Java the
 * machine has, passing over one that is too old.
 */
class TarballIT {
    @TempDir
    static Path unpacked;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Run.of("tar", "-xzf", Dist.tarball().toString(), "-C", unpacked.toString()).ok();
        home = unpacked.resolve("dst-" + Dist.VERSION);
    }

    @Test
    void hasTheLayoutTheReadmePromises() throws IOException {
        for (String f : new String[]{"lib/dst-server.jar", "lib/dst-client.jar", "etc/server.conf", "etc/client/disk0.conf.example",
                "etc/client.key.example", "share/man/man1/dst-server.1", "share/man/man1/dst-client.1", "share/doc/dst/dst-server.txt",
                "share/doc/dst/dst-client-copy.txt", "share/systemd/dst-server.service", "share/systemd/dst-client@.service"}) {
            assertTrue(Files.isRegularFile(home.resolve(f)), f + " is missing");
        }
        for (String f : new String[]{"bin/dst-server", "bin/dst-client", "libexec/dst-launch", "libexec/dst-server-service"}) {
            assertTrue(Files.getPosixFilePermissions(home.resolve(f)).contains(PosixFilePermission.OWNER_EXECUTE), f + " is not executable");
        }
        assertTrue(Files.readString(home.resolve("share/man/man1/dst-server.1")).contains("\\-\\-export"), "man page lacks --export");
    }

    @Test
    void bothProgramsPrintTheirVersion() throws Exception {
        for (String program : new String[]{"dst-server", "dst-client"}) {
            Run r = Run.of(home.resolve("bin/" + program).toString(), "--version").ok();
            assertTrue(r.output().startsWith(program + " " + Dist.VERSION), r.toString());
        }
    }

    @Test
    void passesOverAJavaHomeThatIsTooOld(@TempDir Path tmp) throws Exception {
        Path oldJava = Files.createDirectories(tmp.resolve("jdk-11/bin")).resolve("java");
        Files.writeString(oldJava, "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\nexit 0\n");
        oldJava.toFile().setExecutable(true);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DST_JAVA");
        env.put("JAVA_HOME", tmp.resolve("jdk-11").toString());
        Run r = Run.in(null, env, home.resolve("bin/dst-server").toString(), "--version").ok();
        assertTrue(r.output().contains("Java "), r.toString());
        assertTrue(!r.output().contains("11.0.2"), r.toString());
    }

    @Test
    void usageErrorsKeepTheProgramsExitCode() throws Exception {
        Run r = Run.of(home.resolve("bin/dst-server").toString(), "--no-such-option");
        assertEquals(2, r.exitCode(), r.toString());
    }
}
