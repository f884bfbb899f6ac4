package dst.runtime.metrics;

import java.util.HashSet;
import java.util.Set;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): per metric family one {@code # HELP} and one
 * {@code # TYPE} line, then its samples, {@code name{label="value",...} number}. Label values are escaped
 * ({@code \\}, {@code \"}, newline). A family's samples must follow its header: declare, then add. Not thread-safe:
 * one instance per scrape.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);
    private final Set<String> declared = new HashSet<>();

    /** Declares a family ({@code type} counter, gauge or histogram) once; later calls for the same name do nothing. */
    public PrometheusText family(String name, String type, String help) {
        if (declared.add(name)) {
            out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }
        return this;
    }

    /** One sample; {@code labels} are name, value pairs. */
    public PrometheusText sample(String name, double value, String... labels) {
        out.append(name);
        labels(labels, null);
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** A histogram's samples: cumulative {@code _bucket}s with {@code le} in seconds, {@code _sum} (seconds), {@code _count}. */
    public PrometheusText histogram(String name, Histogram h, String... labels) {
        for (int i = 0; i <= Histogram.BOUNDS.length; i++) {
            out.append(name).append("_bucket");
            labels(labels, i < Histogram.BOUNDS.length ? number(Histogram.BOUNDS[i]) : "+Inf");
            out.append(' ').append(h.cumulative(i)).append('\n');
        }
        sample(name + "_sum", h.sumNanos() / 1e9, labels);
        return sample(name + "_count", h.count(), labels);
    }

    private void labels(String[] labels, String le) {
        if (labels.length % 2 != 0) throw new IllegalArgumentException("labels come in name, value pairs");
        if (labels.length == 0 && le == null) return;
        out.append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) out.append(',');
            out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
        }
        if (le != null) out.append(labels.length > 0 ? "," : "").append("le=\"").append(le).append('"');
        out.append('}');
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        if (Double.isNaN(v) || Double.isInfinite(v)) return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(); // 0.00005, not 5.0E-5
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
