/**
 * The server's metrics ({@code --metrics}): {@link dst.server.metrics.ServerMetrics} holds a
 * {@link dst.server.metrics.RequestMeter} per export and identity, fed by the request path for every front door, and
 * the connection-level counters (auth failures, crc errors, idle timeouts, sessions); {@link
 * dst.server.metrics.ServerMetricsText} renders them with gauges read from the sessions at scrape time. Recording is
 * lock-free from event loops and I/O threads; rendering runs on the metrics endpoint's thread.
 */
package dst.server.metrics;
