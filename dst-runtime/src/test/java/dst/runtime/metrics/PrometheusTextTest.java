package dst.runtime.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text format as Prometheus parses it: headers once, escaped label values, cumulative buckets in seconds. */
class PrometheusTextTest {
    @Test
    void familyHeadersOnceAndLabelValuesEscaped() {
        PrometheusText t = new PrometheusText();
        t.family("dst_x_total", "counter", "An x.\nSecond line.");
        t.family("dst_x_total", "counter", "ignored");
        t.sample("dst_x_total", 3, "identity", "a\"b\\c\nd");
        t.sample("dst_x_total", 0.25);
        assertEquals("# HELP dst_x_total An x.\\nSecond line.\n# TYPE dst_x_total counter\n"
                + "dst_x_total{identity=\"a\\\"b\\\\c\\nd\"} 3\ndst_x_total 0.25\n", t.toString());
    }

    @Test
    void histogramBucketsAreCumulativeWithSumInSeconds() {
        Histogram h = new Histogram();
        h.record(40_000);          // 40 µs: first bucket (<= 50 µs)
        h.record(50_000);          // exactly on the bound: still the first
        h.record(3_000_000);       // 3 ms: <= 5 ms
        h.record(60_000_000_000L); // a minute: only +Inf
        String text = new PrometheusText().histogram("d", h, "op", "read").toString();
        assertTrue(text.contains("d_bucket{op=\"read\",le=\"0.00005\"} 2\n"), text);
        assertTrue(text.contains("d_bucket{op=\"read\",le=\"0.0025\"} 2\n"), text);
        assertTrue(text.contains("d_bucket{op=\"read\",le=\"0.005\"} 3\n"), text);
        assertTrue(text.contains("d_bucket{op=\"read\",le=\"10\"} 3\n"), text);
        assertTrue(text.contains("d_bucket{op=\"read\",le=\"+Inf\"} 4\n"), text);
        assertTrue(text.contains("d_count{op=\"read\"} 4\n"), text);
        assertTrue(text.contains("d_sum{op=\"read\"} 60.00309\n"), text);
        assertEquals(Histogram.BOUNDS.length + 3, text.lines().count(), "a bucket per bound, +Inf, sum, count");
    }

    @Test
    void labelsComeInPairs() {
        assertThrows(IllegalArgumentException.class, () -> new PrometheusText().sample("x", 1, "lonely"));
    }

    @Test
    void metricsAddressMustBeHostAndPort() {
        assertThrows(IllegalArgumentException.class, () -> MetricsEndpoint.parse("unix:/run/x"));
        assertThrows(IllegalArgumentException.class, () -> MetricsEndpoint.parse("9470"));
        assertEquals(9470, MetricsEndpoint.parse("127.0.0.1:9470").getPort());
    }
}
