package dst.server.export;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Who may use one export, and how: {@code allow=alice:rw+bob:ro+anonymous:ro+*:ro} in the export's
 * options. Without {@code allow=}, every client the server admits may read and write (unless the
 * export itself is read-only). With it, only the listed identities may connect: {@code *} is any
 * authenticated identity, {@code anonymous} a client without one. A named rule beats {@code *}.
 */
public final class ExportAccess {
    /** What a client may do with an export. */
    public enum Level { NONE, READ, READ_WRITE }

    public static final String ANY = "*";
    public static final String ANONYMOUS = "anonymous";
    public static final ExportAccess EVERYONE = new ExportAccess(Map.of());

    private final Map<String, Level> rules;

    private ExportAccess(Map<String, Level> rules) {
        this.rules = Collections.unmodifiableMap(rules);
    }

    /** Parses one rule list, {@code ID:MODE[+ID:MODE...]}, MODE being ro or rw (rw when left out). */
    public static ExportAccess parse(String list) {
        return EVERYONE.plus(list);
    }

    /** This rule set plus the rules in {@code list}. */
    public ExportAccess plus(String list) {
        Map<String, Level> next = new LinkedHashMap<>(rules);
        for (String rule : list.split("\\+")) {
            String r = rule.strip();
            int colon = r.lastIndexOf(':');
            String id = colon < 0 ? r : r.substring(0, colon);
            String mode = colon < 0 ? "rw" : r.substring(colon + 1).toLowerCase(Locale.ROOT);
            if (!isRule(id + ":" + mode)) {
                throw new IllegalArgumentException("access rule '" + rule + "' must be IDENTITY:ro or IDENTITY:rw"
                        + " (IDENTITY a client name, * or anonymous)");
            }
            next.put(id, mode.equals("ro") ? Level.READ : Level.READ_WRITE);
        }
        return new ExportAccess(next);
    }

    /** Whether {@code token} reads as one access rule ({@code NAME:ro} or {@code NAME:rw}). */
    public static boolean isRule(String token) {
        return token.matches("([A-Za-z0-9._@-]{1,128}|\\*):(ro|rw|RO|RW)");
    }

    /** What {@code identity} may do; {@code null} identity = an anonymous client. */
    public Level levelFor(String identity) {
        if (rules.isEmpty()) return Level.READ_WRITE;
        if (identity == null || identity.isEmpty()) return rules.getOrDefault(ANONYMOUS, Level.NONE);
        Level named = rules.get(identity);
        if (named != null) return named;
        return rules.getOrDefault(ANY, Level.NONE);
    }

    public boolean restricted() {
        return !rules.isEmpty();
    }

    @Override
    public String toString() {
        if (rules.isEmpty()) return "everyone admitted";
        StringJoiner j = new StringJoiner("+", "allow=", "");
        rules.forEach((id, level) -> j.add(id + (level == Level.READ ? ":ro" : ":rw")));
        return j.toString();
    }
}
