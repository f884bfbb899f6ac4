package dst.server.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The export access file ({@code --access-file}): one {@code EXPORT RULES} per line, RULES as in an export's
 * {@code allow=} ({@code alice:rw+bob:ro}, also {@code *:ro} and {@code anonymous:ro}); {@code #} starts a comment.
 * An export listed here gets exactly these rules instead of its command line's {@code allow=}; the others keep theirs.
 * Read at start and by every reload, so rules change without a restart. A missing file lists nothing.
 */
public final class AccessFile {
    private AccessFile() {
    }

    /**
     * The rules per export name in {@code file}.
     *
     * @param exports the names the server exports: a line naming another is an error (a typo must not go unnoticed)
     */
    public static Map<String, ExportAccess> load(Path file, Set<String> exports) throws IOException {
        Map<String, ExportAccess> rules = new LinkedHashMap<>();
        if (!Files.exists(file)) return rules;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+");
            try {
                if (f.length != 2) throw new IllegalArgumentException("expected EXPORT RULES, e.g. disk0 alice:rw+bob:ro");
                if (!exports.contains(f[0])) {
                    throw new IllegalArgumentException("no export '" + f[0] + "' (this server has: " + String.join(", ", exports) + ")");
                }
                if (rules.put(f[0], ExportAccess.parse(f[1])) != null) throw new IllegalArgumentException("'" + f[0] + "' given twice");
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return Collections.unmodifiableMap(rules);
    }
}
