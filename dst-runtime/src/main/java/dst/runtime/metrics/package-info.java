/**
 * Metrics both programs export ({@code --metrics}): {@link dst.runtime.metrics.Histogram} latency buckets and the
 * Prometheus text format ({@link dst.runtime.metrics.PrometheusText}), served over HTTP by
 * {@link dst.runtime.metrics.MetricsEndpoint}. Recording is lock-free from any thread; a scrape reads the current sums.
 */
package dst.runtime.metrics;
