package dst.server.metrics;

import dst.protocol.Opcode;
import dst.runtime.metrics.PrometheusText;
import dst.server.export.Export;
import dst.server.net.Session;
import io.netty.channel.Channel;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the server's metrics in the Prometheus text format: {@link ServerMetrics}' counters, plus gauges read from
 * the exports and sessions at the moment of the scrape. Metric names are documented in the README ("Operating dst").
 */
public final class ServerMetricsText {
    private ServerMetricsText() {
    }

    public static String render(ServerMetrics m, Collection<Export> exports, Collection<Session> sessions) {
        PrometheusText t = new PrometheusText();
        t.family("dst_server_export_size_bytes", "gauge", "Size of each export.");
        for (Export e : exports) t.sample("dst_server_export_size_bytes", e.size(), "export", e.name());
        connected(t, sessions);
        requests(t, m);
        t.family("dst_server_auth_failures_total", "counter", "Refused logins: wrong or unknown key, anonymous where not served, "
                + "refused by an export's rules.");
        for (ServerMetrics.AuthFailure f : ServerMetrics.AuthFailure.values()) {
            t.sample("dst_server_auth_failures_total", m.authFailures[f.ordinal()].sum(), "reason", f.name().toLowerCase(Locale.ROOT));
        }
        t.family("dst_server_crc_errors_total", "counter", "Frames refused for a bad crc32c (connection reset; the client resends).");
        t.sample("dst_server_crc_errors_total", m.crcErrors.sum());
        t.family("dst_server_bad_frames_total", "counter", "Other frames that could not be accepted (connection closed).");
        t.sample("dst_server_bad_frames_total", m.badFrames.sum());
        t.family("dst_server_idle_timeouts_total", "counter", "Connections closed after --idle-timeout without a byte.");
        t.sample("dst_server_idle_timeouts_total", m.idleTimeouts.sum());
        t.family("dst_server_sessions_total", "counter", "Logins that opened a new session (kind=opened) or resumed one after "
                + "a reconnect (kind=resumed).");
        t.sample("dst_server_sessions_total", m.sessionsOpened.sum(), "kind", "opened");
        t.sample("dst_server_sessions_total", m.sessionsResumed.sum(), "kind", "resumed");
        return t.toString();
    }

    /** Connected clients and their requests in flight, per export and identity. */
    private static void connected(PrometheusText t, Collection<Session> sessions) {
        Map<String, long[]> byKey = new TreeMap<>();
        for (Session s : sessions) {
            Channel ch = s.channel();
            if (ch == null || !ch.isActive()) continue;
            long[] v = byKey.computeIfAbsent(s.exportName() + "\u0000" + (s.owner().isEmpty() ? "anonymous" : s.owner()), k -> new long[2]);
            v[0]++;
            v[1] += s.inflight();
        }
        t.family("dst_server_connected_clients", "gauge", "Connected client sessions.");
        byKey.forEach((k, v) -> t.sample("dst_server_connected_clients", v[0], labels(k)));
        t.family("dst_server_in_flight_requests", "gauge", "Requests received and not yet answered.");
        byKey.forEach((k, v) -> t.sample("dst_server_in_flight_requests", v[1], labels(k)));
    }

    /** Each family's samples in one group, as the format requires: one pass per family. */
    private static void requests(PrometheusText t, ServerMetrics m) {
        counterPerOp(t, m, "dst_server_requests_total", "Requests the backend completed, per export, identity and opcode.", r -> r.requests);
        counterPerOp(t, m, "dst_server_request_bytes_total", "Bytes read or written (the range for trim and write_zeroes).", r -> r.bytes);
        counterPerOp(t, m, "dst_server_request_errors_total", "Requests refused by the rules or failed by the backend.", r -> r.errors);
        t.family("dst_server_request_duration_seconds", "histogram", "From receipt to the backend's completion.");
        for (RequestMeter r : m.meters()) {
            for (int i = 0; i < RequestMeter.OPCODES.length; i++) t.histogram("dst_server_request_duration_seconds", r.latency[i], labels(r, i));
        }
    }

    private static void counterPerOp(PrometheusText t, ServerMetrics m, String name, String help,
                                     java.util.function.Function<RequestMeter, java.util.concurrent.atomic.LongAdder[]> values) {
        t.family(name, "counter", help);
        for (RequestMeter r : m.meters()) {
            for (int i = 0; i < RequestMeter.OPCODES.length; i++) t.sample(name, values.apply(r)[i].sum(), labels(r, i));
        }
    }

    private static String[] labels(RequestMeter r, int op) {
        return new String[]{"export", r.export, "identity", r.identity, "op", Opcode.name(RequestMeter.OPCODES[op]).toLowerCase(Locale.ROOT)};
    }

    private static String[] labels(String key) {
        int z = key.indexOf('\u0000');
        return new String[]{"export", key.substring(0, z), "identity", key.substring(z + 1)};
    }
}
