package dst.it.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One scrape of a {@code /metrics} endpoint, checked against the text format as Prometheus reads it (every family
 * declared once with HELP and TYPE before its samples, its samples in one group, every sample line
 * {@code series value}), and looked up by series: {@code value("dst_server_requests_total", "export", "d", "op", "write")}
 * matches the sample whose labels include those pairs (exactly one must).
 */
public final class Prometheus {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String text;
    private final Map<String, Double> samples = new HashMap<>();

    private Prometheus(String text) {
        this.text = text;
        Set<String> declared = new HashSet<>();
        Set<String> finished = new HashSet<>();
        String current = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("# HELP ")) continue;
            if (line.startsWith("# TYPE ")) {
                String family = line.split(" ")[2];
                if (!declared.add(family)) throw new AssertionError("family declared twice: " + family);
                if (current != null) finished.add(current);
                current = family;
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) throw new AssertionError("not a sample line: " + line);
            String series = line.substring(0, space);
            String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
            String family = name.replaceAll("_(bucket|sum|count)$", "");
            if (!family.equals(current) && !name.equals(current)) {
                throw new AssertionError("sample outside its family's group (" + (finished.contains(family) ? "after it" : "undeclared") + "): " + line);
            }
            if (samples.put(series, Double.parseDouble(line.substring(space + 1))) != null) throw new AssertionError("series twice: " + series);
        }
    }

    public static Prometheus scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new AssertionError(url + ": HTTP " + r.statusCode() + ": " + r.body());
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/plain; version=0.0.4")) throw new AssertionError(url + ": Content-Type " + type);
        return new Prometheus(r.body());
    }

    /** The value of the one sample of {@code name} whose labels include every {@code label, value} pair; 0 if none. */
    public double value(String name, String... labels) {
        Double found = null;
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String series = e.getKey();
            if (!series.equals(name) && !series.startsWith(name + "{")) continue;
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) all &= series.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            if (!all) continue;
            if (found != null) throw new AssertionError("more than one " + name + " with " + String.join(",", labels) + " in:\n" + text);
            found = e.getValue();
        }
        return found == null ? 0 : found;
    }

    public String text() {
        return text;
    }
}
