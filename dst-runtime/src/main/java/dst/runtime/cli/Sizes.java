package dst.runtime.cli;

import java.util.Locale;

/** Human sizes: parses {@code 4096}, {@code 512K}, {@code 1G}, {@code 2GiB} (binary units); formats {@code 1.5 GiB}. */
public final class Sizes {
    private Sizes() {
    }

    public static long parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) s = s.substring(0, s.length() - 2);
        else if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> shift = -1;
            }
            if (shift >= 0) s = s.substring(0, s.length() - 1);
            else shift = 0;
        }
        try {
            long v = Long.parseLong(s);
            if (v < 0 || (shift > 0 && v > (Long.MAX_VALUE >> shift))) throw new NumberFormatException();
            return v << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "' (examples: 4096, 512M, 1G)");
        }
    }

    /** {@code b} bytes for people: {@code 512 B}, {@code 1.5 KiB}, {@code 120 GiB}. */
    public static String format(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
