package dst.it.nbdclient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a device daemon lost its server and when it was back, from its log (the shared one-line format,
 * {@code 2026-12-02 11:38:55.204 WARNING lost connection to ...} / {@code ... reconnected to ...}), in epoch
 * milliseconds of this machine's clock, so a test can set them against the moments it killed and restarted a server.
 */
record ReconnectLog(List<Long> lost, List<Long> reconnected) {
    private static final Pattern EVENT = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) WARNING +(lost connection to|reconnected to) ",
            Pattern.MULTILINE);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    static ReconnectLog read(Path log) throws IOException {
        List<Long> lost = new ArrayList<>();
        List<Long> back = new ArrayList<>();
        Matcher m = EVENT.matcher(Files.readString(log));
        while (m.find()) {
            long at = LocalDateTime.parse(m.group(1), TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
            (m.group(2).startsWith("lost") ? lost : back).add(at);
        }
        return new ReconnectLog(lost, back);
    }

    /** Waits until the log shows at least {@code n} reconnects; fails after {@code timeoutMillis}. */
    static ReconnectLog awaitReconnects(Path log, int n, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            ReconnectLog r = read(log);
            if (r.reconnected.size() >= n) return r;
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the client did not reconnect " + n + " time(s) within " + timeoutMillis + " ms; log " + log
                        + ":\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    /** The first reconnect at or after {@code epochMillis}, or -1. */
    long reconnectAfter(long epochMillis) {
        return reconnected.stream().filter(t -> t >= epochMillis).findFirst().orElse(-1L);
    }
}
