package dst.client.daemon;

import dst.client.core.DeviceStats;
import dst.runtime.metrics.Histogram;
import dst.runtime.metrics.PrometheusText;

/**
 * Renders one attached device's metrics ({@code attach --metrics}) in the Prometheus text format, from its
 * {@link DeviceStats} as they are at the scrape. Every sample carries {@code device} (the name in dst-client list)
 * and {@code export}. Metric names are documented in the README ("Operating dst").
 */
final class DeviceMetricsText {
    private DeviceMetricsText() {
    }

    static String render(String name, String export, DeviceStats s) {
        String[] l = {"device", name, "export", export};
        PrometheusText t = new PrometheusText();
        perOp(t, "dst_client_requests_total", "Requests answered by the server, per opcode (trim counts trim and write_zeroes).",
                l, s.reads.sum(), s.writes.sum(), s.flushes.sum(), s.trims.sum());
        t.family("dst_client_request_bytes_total", "counter", "Bytes read and written.");
        t.sample("dst_client_request_bytes_total", s.bytesRead.sum(), with(l, "op", "read"));
        t.sample("dst_client_request_bytes_total", s.bytesWritten.sum(), with(l, "op", "write"));
        t.family("dst_client_request_duration_seconds", "histogram", "From the request to the server's answer, resends included.");
        Histogram[] h = {s.readLatency, s.writeLatency, s.flushLatency, s.trimLatency};
        for (int i = 0; i < OPS.length; i++) t.histogram("dst_client_request_duration_seconds", h[i], with(l, "op", OPS[i]));
        gauge(t, "dst_client_in_flight_requests", "Requests sent and not yet answered.", s.inFlight(), l);
        gauge(t, "dst_client_connected", "1 while connected to the server, 0 while connecting or reconnecting.",
                s.state() == DeviceStats.State.CONNECTED ? 1 : 0, l);
        counter(t, "dst_client_request_errors_total", "Requests that failed (server errors and timeouts).", s.errors.sum(), l);
        counter(t, "dst_client_reconnects_total", "Connections re-established after a loss.", s.reconnects.sum(), l);
        counter(t, "dst_client_resent_requests_total", "Unanswered requests sent again on a new connection.", s.resent.sum(), l);
        counter(t, "dst_client_timeouts_total", "Requests failed with EIO after --io-timeout without an answer.", s.timedOut.sum(), l);
        counter(t, "dst_client_crc_errors_total", "Replies refused for a bad crc32c (the connection is reset).", s.crcErrors.sum(), l);
        return t.toString();
    }

    private static final String[] OPS = {"read", "write", "flush", "trim"};

    private static void perOp(PrometheusText t, String name, String help, String[] l, long... values) {
        t.family(name, "counter", help);
        for (int i = 0; i < OPS.length; i++) t.sample(name, values[i], with(l, "op", OPS[i]));
    }

    private static void counter(PrometheusText t, String name, String help, long value, String[] l) {
        t.family(name, "counter", help).sample(name, value, l);
    }

    private static void gauge(PrometheusText t, String name, String help, long value, String[] l) {
        t.family(name, "gauge", help).sample(name, value, l);
    }

    private static String[] with(String[] l, String k, String v) {
        String[] out = java.util.Arrays.copyOf(l, l.length + 2);
        out[l.length] = k;
        out[l.length + 1] = v;
        return out;
    }
}
