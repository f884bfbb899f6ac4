package dst.it.nbd;

import dst.it.harness.Host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The stock NBD programs from Debian (libnbd-bin, python3-libnbd, qemu-utils, nbd-client) as the interop tests
 * run them against dst-server, and readers for what they print (the stock servers dst-client is tested against,
 * nbdkit, qemu-nbd and nbd-server, are {@link StockNbdServer}). Each program runs with the system's PATH only, so
 * {@code nbdsh} gets Debian's python3 (the one python3-libnbd installed into) and not a user's own.
 */
public final class StockNbdTools {
    /** The system directories: what a fresh Debian root shell has. */
    private static final Map<String, String> SYSTEM_PATH = Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    private static final Map<String, String> PACKAGE = Map.of("nbdinfo", "libnbd-bin", "nbdcopy", "libnbd-bin", "nbdfuse", "libnbd-bin",
            "nbdsh", "python3-libnbd", "qemu-img", "qemu-utils", "qemu-io", "qemu-utils", "nbd-client", "nbd-client",
            "qemu-nbd", "qemu-utils", "nbd-server", "nbd-server");
    private static final Pattern MAP_ENTRY = Pattern.compile("\"offset\": (\\d+), \"length\": (\\d+), \"type\": (\\d+)");

    private StockNbdTools() {
    }

    /** Skips the test, naming the Debian package, when one of the programs is not installed. */
    public static void assumeInstalled(String... programs) throws IOException, InterruptedException {
        for (String p : programs) {
            String pkg = PACKAGE.getOrDefault(p, p);
            boolean there = Files.isExecutable(Path.of("/usr/bin", p)) || Files.isExecutable(Path.of("/usr/sbin", p));
            if (there && p.equals("nbdsh")) there = exec(30, "/usr/bin/python3", "-c", "import nbd").exitCode() == 0;
            assumeTrue(there, "needs " + p + " (apt-get install " + pkg + "; .ci/run installs it)");
        }
    }

    public static Host.Result exec(long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        return Host.exec(timeoutSeconds, List.of(cmd), SYSTEM_PATH);
    }

    /** Runs a program that must succeed (within 5 minutes); returns its output. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        return exec(300, cmd).ok(String.join(" ", cmd)).output();
    }

    /**
     * Runs a Python script in {@code nbdsh} with no implicit connection ({@code -n}): the script connects
     * itself to {@code uri} (in the variable {@code uri}) and can use {@link #NBDSH_PRELUDE}'s helpers.
     */
    static Host.Result nbdsh(String uri, String script) throws IOException, InterruptedException {
        return exec(120, "nbdsh", "-n", "-c", "uri = " + pythonString(uri), "-c", NBDSH_PRELUDE, "-c", script);
    }

    /**
     * Helpers for nbdsh scripts. {@code connect()} opens a handle with libnbd's client-side checks off (strict mode 0),
     * so out-of-range, unaligned and zero-length requests really reach the server; {@code expect_error} runs a request
     * and requires the server's error to be the given errno, printing {@code OK what: ERRNO}.
     */
    static final String NBDSH_PRELUDE = """
            import errno
            def connect(strict=False):
                h = nbd.NBD()
                if not strict:
                    h.set_strict_mode(0)
                h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
                h.connect_uri(uri)
                return h
            def expect_error(what, errnum, fn):
                try:
                    fn()
                except nbd.Error as e:
                    assert e.errnum == errnum, f"{what}: expected {errno.errorcode[errnum]}, got errno {e.errnum}: {e.string}"
                    print(f"OK {what}: {errno.errorcode[e.errnum]}")
                    return
                raise AssertionError(f"{what}: succeeded, expected {errno.errorcode[errnum]}")
            """;

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** One extent of {@code nbdinfo --map --json}: type bit 0 = hole, bit 1 = reads as zeros. */
    record Extent(long offset, long length, int type) {
        boolean zero() {
            return (type & 2) != 0;
        }

        boolean hole() {
            return (type & 1) != 0;
        }

        long end() {
            return offset + length;
        }
    }

    /** The extents of {@code nbdinfo --map --json} output, in order. */
    static List<Extent> extents(String mapJson) {
        List<Extent> out = new ArrayList<>();
        Matcher m = MAP_ENTRY.matcher(mapJson);
        while (m.find()) out.add(new Extent(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3))));
        return out;
    }

    /** The extents that overlap {@code [offset, offset + length)}. */
    static List<Extent> overlapping(List<Extent> extents, long offset, long length) {
        return extents.stream().filter(e -> e.offset() < offset + length && e.end() > offset).toList();
    }

    /** The value of {@code "key": value} in nbdinfo's JSON (first occurrence), without quotes; null when absent. */
    static String jsonValue(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\"([^\"]*)\"|[^,\\s}\\]]+)").matcher(json);
        if (!m.find()) return null;
        return m.group(2) != null ? m.group(2) : m.group(1);
    }
}
