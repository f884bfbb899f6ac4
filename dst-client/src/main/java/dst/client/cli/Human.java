package dst.client.cli;

/** Sizes and rates for people. */
final class Human {
    private Human() {
    }

    static String bytes(long b) {
        return dst.runtime.cli.Sizes.format(b);
    }

    static String rate(long bytes, long nanos) {
        double mbps = nanos <= 0 ? 0 : bytes / 1e6 / (nanos / 1e9);
        return String.format("%.1f MB/s", mbps);
    }
}
