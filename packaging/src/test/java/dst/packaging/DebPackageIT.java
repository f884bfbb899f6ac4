package dst.packaging;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The .deb installs with dpkg into a clean root that has nothing but busybox and a Java runtime in
 * /usr/lib/jvm (made by make-rootfs.sh: no JDK package, no java on PATH), and there, chrooted, both
 * programs run: the launchers find that Java by themselves. The systemd units pass
 * {@code systemd-analyze verify} against the installed files, then the package removes and purges
 * cleanly. Needs root (dpkg --root, chroot, unshare), dpkg, busybox-static, jlink.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebPackageIT {
    static final String JRE = "/usr/lib/jvm/dst-jre";
    static final Map<String, String> CLEAN_ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "HOME", "/root");
    /**
     * Runs a command chrooted into the root, in a mount namespace of its own with /proc mounted (the
     * JVM finds its libraries through $ORIGIN, which the loader reads from /proc/self/exe) and this
     * machine's /dev (without /dev/urandom every JVM that makes a key, a nonce or a session id waits
     * seconds for seed entropy): the mounts vanish with the process, so nothing is ever left mounted
     * inside target/.
     */
    static final List<String> CHROOT = List.of("unshare", "--mount", "/bin/sh", "-c",
            "mount -t proc proc \"$0/proc\" && mount --rbind /dev \"$0/dev\" && exec /usr/sbin/chroot \"$0\" \"$@\"");
    static Path root;

    /** Why this machine cannot run these tests, or null. */
    static String missing;

    @BeforeAll
    static void installIntoACleanRoot() throws Exception {
        missing = whatIsMissing();
        if (missing != null) {
            System.err.println("DebPackageIT: " + missing);
            return;
        }
        root = Dist.TARGET.resolve("it-root");
        Run.of(Dist.makeRootfs().toString(), root.toString(), JRE).ok();
        for (String d : new String[]{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"}) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(root.resolve("var/lib/dpkg/available"), "");
        // The Java dependency is met by the root's own runtime, which no package in it declares.
        Run install = Run.of("dpkg", "--root=" + root, "--force-depends", "-i", Dist.deb().toString()).ok();
        assertTrue(install.output().contains("Setting up dst"), install.toString());
    }

    private static String whatIsMissing() throws IOException, InterruptedException {
        if (!Dist.isRoot()) return "needs root (dpkg --root, chroot, unshare): skipped";
        for (String tool : new String[]{"dpkg", "chroot", "busybox", "jlink", "unshare"}) {
            if (!Run.available(tool)) return "needs " + tool + " (apt-get install dpkg busybox-static): skipped";
        }
        if (Run.of("sh", "-c", "ldd \"$(command -v busybox)\" 2>&1 | grep -q 'not a dynamic'").exitCode() != 0) {
            return "needs a static busybox for the clean root (apt-get install busybox-static): skipped";
        }
        return null;
    }

    /** Each test is skipped, and counted as skipped with the reason, when the machine lacks something. */
    @BeforeEach
    void needsWhatTheInstallNeeds() {
        assumeTrue(missing == null, missing);
    }

    private static String[] chroot(String... command) {
        List<String> argv = new ArrayList<>(CHROOT);
        argv.add(root.toString());
        argv.addAll(List.of(command));
        return argv.toArray(String[]::new);
    }

    private static Run chrooted(String... command) throws IOException, InterruptedException {
        return Run.in(null, CLEAN_ENV, chroot(command));
    }

    @Test
    @Order(1)
    void installsFilesWhereTheReadmeSays() throws Exception {
        for (String f : new String[]{"usr/lib/dst/lib/dst-server.jar", "usr/lib/dst/lib/dst-client.jar", "etc/dst/server.conf",
                "etc/dst/client/disk0.conf.example", "lib/systemd/system/dst-server.service", "lib/systemd/system/dst-client@.service",
                "usr/share/man/man1/dst-server.1", "usr/share/man/man1/dst-client.1"}) {
            assertTrue(Files.isRegularFile(root.resolve(f)), f + " is missing");
        }
        assertTrue(Files.isDirectory(root.resolve("var/lib/dst")), "/var/lib/dst is missing");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/dst/client.key.example"))));
        String conffiles = Run.of("dpkg-query", "--admindir=" + root.resolve("var/lib/dpkg"), "-W", "-f=${Conffiles}", "dst").ok().output();
        for (String f : new String[]{"/etc/dst/server.conf", "/etc/dst/client.key.example", "/etc/dst/client/disk0.conf.example"}) {
            assertTrue(conffiles.contains(f), f + " is not a conffile: " + conffiles);
        }
    }

    @Test
    @Order(2)
    void bothProgramsRunInTheCleanRoot() throws Exception {
        assertFalse(chrooted("/bin/sh", "-c", "command -v java").exitCode() == 0, "java must not be on PATH in the clean root");
        for (String program : new String[]{"dst-server", "dst-client"}) {
            Run r = chrooted("/usr/bin/" + program, "--version").ok();
            assertTrue(r.output().startsWith(program + " " + Dist.VERSION), r.toString());
        }
    }

    @Test
    @Order(3)
    void theInstalledServerServesAnExport() throws Exception {
        Process server = new ProcessBuilder(chroot("/usr/bin/dst-server", "--listen", "127.0.0.1:0", "--export", "t=mem:16M"))
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("dst-server " + Dist.VERSION + " listening on 127.0.0.1:"), "first line: " + first);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(4)
    void launcherSaysSoWhenThereIsNoJava() throws Exception {
        Path jvm = root.resolve("usr/lib/jvm");
        Path away = root.resolve("usr/lib/jvm.away");
        Files.move(jvm, away);
        try {
            Run r = chrooted("/usr/bin/dst-client", "--version");
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.output().contains("needs Java 17 or newer"), r.toString());
        } finally {
            Files.move(away, jvm);
        }
    }

    /**
     * An operator's edit of /etc/dst/server.conf alone (exports, DST_TLS=yes; DST_CLIENTS keeps its default)
     * turns on authentication and TLS for the service: the server is started exactly as dst-server.service
     * starts it (its ExecStart, with the environment of its EnvironmentFile), and real clients then find
     * that one without a key, or with a key the server does not know, is refused, one with the key made by
     * {@code dst-server client add} is served, and a plain (non-TLS) connection gets nothing.
     */
    @Test
    @Order(5)
    void serviceConfiguredInServerConfRefusesUnauthenticatedClients() throws Exception {
        Run add = chrooted("/usr/bin/dst-server", "client", "add", "alice", "--key-file", "/etc/dst/alice.key").ok();
        assertTrue(add.output().contains("/etc/dst/clients"), "keys go to the file DST_CLIENTS names by default: " + add);
        chrooted("/usr/bin/dst-server", "client", "add", "mallory", "--clients", "/tmp/other-clients", "--key-file", "/etc/dst/mallory.key").ok();
        chrooted("/usr/bin/dst-server", "tls", "init", "--name", "127.0.0.1").ok();
        Path conf = root.resolve("etc/dst/server.conf");
        String text = Files.readString(conf);
        text = setting(text, "DST_LISTEN", "127.0.0.1:0");
        text = setting(text, "DST_EXPORTS", "\"--export disk0=mem:16M\"");
        text = setting(text, "DST_TLS", "yes");
        Files.writeString(conf, text);

        ServiceUnit unit = ServiceUnit.read(root, "/lib/systemd/system/dst-server.service");
        assertEquals("/etc/dst/clients", unit.environment().get("DST_CLIENTS"), "server.conf names the clients file");
        Map<String, String> env = new java.util.HashMap<>(CLEAN_ENV);
        env.putAll(unit.environment());
        ProcessBuilder pb = new ProcessBuilder(chroot(unit.execStart().toArray(String[]::new))).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process server = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            java.util.regex.Matcher listening = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(TLS 1\\.3")
                    .matcher(String.valueOf(first));
            assertTrue(listening.find(), "first line: " + first);
            String second = out.readLine();
            assertTrue(second != null && second.contains("1 identities from /etc/dst/clients; authentication required"), second);
            String target = "127.0.0.1:" + listening.group(1) + "/disk0";
            String[] trust = {"--tls-ca", "/etc/dst/tls/server.crt"};

            Run anonymous = chrootedClient(trust, "info", target);
            assertEquals(4, anonymous.exitCode(), "a client without a key is refused: " + anonymous);
            assertTrue(anonymous.output().contains("EACCES"), anonymous.toString());
            Run mallory = chrootedClient(trust, "info", "--identity", "mallory", "--key-file", "/etc/dst/mallory.key", target);
            assertEquals(4, mallory.exitCode(), "a key the server does not know is refused: " + mallory);
            assertTrue(mallory.output().contains("EACCES"), mallory.toString());
            Run alice = chrootedClient(trust, "info", "--identity", "alice", "--key-file", "/etc/dst/alice.key", target);
            assertEquals(0, alice.exitCode(), "the client with its key is served: " + alice);
            assertTrue(alice.output().contains("size:          16777216 bytes"), alice.toString());
            Run plain = chrooted("/usr/bin/dst-client", "info", "--identity", "alice", "--key-file", "/etc/dst/alice.key", target);
            assertFalse(plain.exitCode() == 0, "DST_TLS=yes: a plain connection gets nothing: " + plain);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@code text} with the (uncommented) line {@code NAME=...} replaced, as an operator edits server.conf. */
    private static String setting(String text, String name, String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "=.*$").matcher(text);
        assertTrue(m.find(), "server.conf has no " + name + "= line");
        return m.replaceFirst(java.util.regex.Matcher.quoteReplacement(name + "=" + value));
    }

    private static Run chrootedClient(String[] trust, String command, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/dst-client", command));
        argv.addAll(List.of(trust));
        argv.addAll(List.of(args));
        return chrooted(argv.toArray(String[]::new));
    }

    @Test
    @Order(6)
    void systemdUnitsVerify() throws Exception {
        assumeTrue(Run.available("systemd-analyze"), "systemd-analyze is missing (apt-get install systemd): unit check skipped");
        // verify resolves the default dependencies (sysinit.target, ...) inside --root: lend it this machine's targets.
        Path units = root.resolve("lib/systemd/system");
        try (var targets = Files.newDirectoryStream(Path.of("/lib/systemd/system"), "*.target")) {
            for (Path t : targets) {
                if (!Files.exists(units.resolve(t.getFileName()))) Files.copy(t, units.resolve(t.getFileName()));
            }
        }
        // Documentation=man:... is checked with man(1) on this machine: point it at the root's pages.
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("MANPATH", root.resolve("usr/share/man").toString());
        assumeTrue(Run.available("man"), "man is missing: unit check skipped (Documentation= is checked with man)");
        Run r = Run.in(null, env, "systemd-analyze", "verify", "--root=" + root,
                "/lib/systemd/system/dst-server.service", "/lib/systemd/system/dst-client@.service");
        // Unknown keys are only warnings for systemd: any output at all is a failure here.
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.output().strip(), r.toString());
    }

    @Test
    @Order(7)
    void removesAndPurgesCleanly() throws Exception {
        Run.of("dpkg", "--root=" + root, "-r", "dst").ok();
        assertFalse(Files.exists(root.resolve("usr/bin/dst-server")), "dst-server left after remove");
        assertTrue(Files.exists(root.resolve("etc/dst/server.conf")), "remove must keep the configuration");
        Run.of("dpkg", "--root=" + root, "--purge", "dst").ok();
        assertFalse(Files.exists(root.resolve("etc/dst/server.conf")), "purge must remove the configuration");
    }
}
