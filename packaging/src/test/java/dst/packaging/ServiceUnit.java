package dst.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What systemd would run for an installed service unit, for tests on machines where systemd is not
 * PID 1: the unit's {@code ExecStart=} command and the environment its {@code EnvironmentFile=} gives it.
 * Only the unit syntax dst's units use is understood; anything else fails the test rather than being
 * guessed at.
 *
 * @param execStart   the command, split at spaces (the unit must not rely on systemd's {@code $VAR} expansion)
 * @param environment the variables of the environment file, parsed as systemd does for simple
 *                    {@code VAR=value} / {@code VAR="value"} lines
 */
record ServiceUnit(List<String> execStart, Map<String, String> environment) {
    /** Reads {@code unit} (a path inside {@code root}) and the environment file it names (also inside {@code root}). */
    static ServiceUnit read(Path root, String unit) throws IOException {
        String execStart = null;
        String environmentFile = null;
        for (String line : Files.readAllLines(root.resolve(relative(unit)), StandardCharsets.UTF_8)) {
            if (line.startsWith("ExecStart=")) execStart = line.substring("ExecStart=".length()).strip();
            if (line.startsWith("EnvironmentFile=")) environmentFile = line.substring("EnvironmentFile=".length()).strip();
        }
        if (execStart == null || environmentFile == null) throw new AssertionError(unit + " lacks ExecStart= or EnvironmentFile=");
        if (execStart.contains("$") || execStart.contains("%") || execStart.matches("^[-@:+!].*")) {
            throw new AssertionError(unit + ": ExecStart uses systemd expansions this emulation does not do: " + execStart);
        }
        return new ServiceUnit(List.of(execStart.split(" +")), environmentFile(root.resolve(relative(environmentFile))));
    }

    /** systemd's EnvironmentFile: {@code VAR=value} lines, {@code #}/{@code ;} comments, one pair of outer quotes removed. */
    static Map<String, String> environmentFile(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            int eq = line.indexOf('=');
            if (eq <= 0) throw new AssertionError(file + ": not VAR=value: " + raw);
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            if (value.contains("\\") || value.contains("\"") || value.contains("'")) {
                throw new AssertionError(file + ": escapes and inner quotes are not emulated: " + raw);
            }
            env.put(line.substring(0, eq).strip(), value);
        }
        return env;
    }

    private static String relative(String absolute) {
        return absolute.startsWith("/") ? absolute.substring(1) : absolute;
    }
}
