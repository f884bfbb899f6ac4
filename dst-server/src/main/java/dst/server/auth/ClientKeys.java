package dst.server.auth;

import dst.protocol.Hello;
import dst.protocol.auth.ClientKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server's clients file: one {@code NAME HEXKEY} per line, {@code #} starts a comment. Written
 * by {@code dst-server client add} with mode 0600, and refused when others can read it. Immutable
 * once loaded; {@link #with} and {@link #without} return a copy. The server reads it once, at start.
 */
public final class ClientKeys {
    /** Identity names: also used in export rules ({@code allow=NAME:rw}), so no {@code , + : = *}. */
    public static final String NAME_PATTERN = "[A-Za-z0-9._@-]{1," + Hello.MAX_IDENTITY + "}";
    private static final ClientKeys NONE = new ClientKeys(Map.of());

    private final Map<String, byte[]> keys;

    private ClientKeys(Map<String, byte[]> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    public static ClientKeys none() {
        return NONE;
    }

    public static void checkName(String name) {
        if (!name.matches(NAME_PATTERN) || name.equals("anonymous")) {
            throw new IllegalArgumentException("client name '" + name + "' must be 1-" + Hello.MAX_IDENTITY
                    + " of A-Z a-z 0-9 . _ @ - (and not 'anonymous')");
        }
    }

    /** Loads {@code file}; a missing file is an empty set of keys. */
    public static ClientKeys load(Path file) throws IOException {
        if (!Files.exists(file)) return NONE;
        ClientKey.requirePrivate(file);
        Map<String, byte[]> keys = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+");
            try {
                if (f.length != 2) throw new IllegalArgumentException("expected NAME KEY");
                checkName(f[0]);
                if (keys.put(f[0], ClientKey.parse(f[1])) != null) throw new IllegalArgumentException("'" + f[0] + "' given twice");
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new ClientKeys(keys);
    }

    /** A copy with {@code name}'s key set to {@code key} (added, or replaced). */
    public ClientKeys with(String name, byte[] key) {
        checkName(name);
        Map<String, byte[]> copy = new LinkedHashMap<>(keys);
        copy.put(name, key.clone());
        return new ClientKeys(copy);
    }

    /** A copy without {@code name}; fails when there is no such identity, so a typo is not a silent no-op. */
    public ClientKeys without(String name) {
        if (!keys.containsKey(name)) {
            throw new IllegalArgumentException("no client '" + name + "'" + (keys.isEmpty() ? " (there are none)"
                    : " (known: " + String.join(", ", keys.keySet()) + ")"));
        }
        Map<String, byte[]> copy = new LinkedHashMap<>(keys);
        copy.remove(name);
        return new ClientKeys(copy);
    }

    /** Writes the keys to {@code file}, replacing it atomically, mode 0600. */
    public void save(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("# dst-server clients: NAME KEY (keep this file private)\n");
        keys.forEach((name, key) -> sb.append(name).append(' ').append(ClientKey.toText(key)).append('\n'));
        ClientKey.writePrivate(file, sb.toString());
    }

    public Optional<byte[]> key(String identity) {
        return Optional.ofNullable(keys.get(identity));
    }

    public boolean contains(String identity) {
        return keys.containsKey(identity);
    }

    public java.util.Set<String> names() {
        return keys.keySet();
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public int size() {
        return keys.size();
    }
}
