package dst.client.cli;

/** Sizes and rates for people. */
final class Human {
    private Human() {
    }

    static String bytes(long b) {
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

    static String rate(long bytes, long nanos) {
        double mbps = nanos <= 0 ? 0 : bytes / 1e6 / (nanos / 1e9);
        return String.format("%.1f MB/s", mbps);
    }
}
