package dst.runtime.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dst.runtime.transport.Transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code --metrics ADDR:PORT}: a tiny HTTP server (the JDK's) answering {@code GET /metrics} with the Prometheus text
 * that {@code scrape} renders at that moment, and 404 for any other path. One daemon thread: scrapes are rare and
 * cheap, and never touch the data path's threads.
 */
public final class MetricsEndpoint implements Closeable {
    private static final Logger LOG = Logger.getLogger(MetricsEndpoint.class.getName());

    private final HttpServer http;
    private final ExecutorService thread;

    private MetricsEndpoint(HttpServer http, ExecutorService thread) {
        this.http = http;
        this.thread = thread;
    }

    /** Listens on {@code address} ({@code HOST:PORT}; port 0 picks a free one) and serves {@code scrape}'s text. */
    public static MetricsEndpoint start(String address, Supplier<String> scrape) throws IOException {
        InetSocketAddress bind = parse(address);
        HttpServer http;
        try {
            http = HttpServer.create(bind, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dst-metrics");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(thread);
        http.createContext("/", exchange -> answer(exchange, scrape));
        http.start();
        return new MetricsEndpoint(http, thread);
    }

    /** {@code HOST:PORT} (also {@code [v6]:PORT}), resolved now; a bad one is an IllegalArgumentException (usage). */
    public static InetSocketAddress parse(String address) {
        if (address.startsWith(Transport.UNIX_PREFIX) || !address.contains(":")) {
            throw new IllegalArgumentException("--metrics wants HOST:PORT (e.g. 127.0.0.1:9470), not '" + address + "'");
        }
        InetSocketAddress a = (InetSocketAddress) Transport.parse(address, 0).address();
        InetSocketAddress resolved = new InetSocketAddress(a.getHostString(), a.getPort());
        if (resolved.isUnresolved()) throw new IllegalArgumentException("--metrics: unknown host '" + a.getHostString() + "'");
        return resolved;
    }

    private static void answer(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/metrics")) {
                send(exchange, 404, "text/plain; charset=utf-8", "dst serves only /metrics here\n");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                send(exchange, 405, "text/plain; charset=utf-8", "GET only\n");
                return;
            }
            String body;
            try {
                body = scrape.get();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "metrics: rendering failed", e);
                send(exchange, 500, "text/plain; charset=utf-8", "rendering the metrics failed: " + e + "\n");
                return;
            }
            send(exchange, 200, PrometheusText.CONTENT_TYPE, body);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Where it listens, with the real port: {@code http://HOST:PORT/metrics}. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/metrics";
    }

    @Override
    public void close() {
        http.stop(0);
        thread.shutdownNow();
    }
}
