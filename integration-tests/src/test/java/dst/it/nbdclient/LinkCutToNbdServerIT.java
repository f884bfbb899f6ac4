package dst.it.nbdclient;

import dst.it.harness.Blocks;
import dst.it.harness.ClientCli;
import dst.it.harness.FaultProxy;
import dst.it.harness.Host;
import dst.it.nbd.StockNbdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The link between dst-client and nbdkit (file plugin) goes down ({@link FaultProxy#linkDown}: nothing moves, nothing
 * is lost or closed, as over a pulled cable) under a device attached with {@code dst-client attach nbd://...
 * --io-timeout 15}. Shorter than the deadline, but longer than the 6 s in which keepalives declare the link dead:
 * the client gives the connection up, gets back in once the link is up, resends, and the {@code dd} writer sees
 * nothing but a pause. Longer than the deadline: a write fails with EIO within the deadline plus 2 s, and once the
 * link is back new writes work and land.
 */
class LinkCutToNbdServerIT {
    private static final int IO_TIMEOUT_S = 15;
    /** Past keepalive's 6 s (dead-link detection and a reconnect happen) and 7 s short of the deadline. */
    private static final long SHORT_CUT_MS = 8000;
    private static final int MIB = 64;

    @TempDir
    Path tmp;
    private ClientCli client;
    private StockNbdServer server;
    private FaultProxy proxy;
    private Path device;

    private void attachThroughProxy() throws Exception {
        Host.assumeRig("dd");
        StockNbdServer.assumeInstalled(StockNbdServer.Kind.NBDKIT_FILE);
        server = StockNbdServer.start(StockNbdServer.Kind.NBDKIT_FILE, tmp, 2L * MIB << 20);
        proxy = FaultProxy.start(server.port());
        client = new ClientCli(tmp.resolve("run"));
        // A short connect timeout: an attempt made while the link is down is given up after 3 s and tried again.
        device = client.attach("nbd://127.0.0.1:" + proxy.port() + "/", "--io-timeout", Integer.toString(IO_TIMEOUT_S),
                "--connect-timeout", "3");
    }

    private Path daemonLog() {
        return client.runDir().resolve("nbd.log");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void cutShorterThanTheDeadlineIsOnlyAPause() throws Exception {
        attachThroughProxy();
        DirectWriter writer = new DirectWriter(device, tmp, MIB).start();
        while (writer.completed() < 1 && writer.failures().isEmpty()) Thread.sleep(20);

        long down = System.currentTimeMillis();
        proxy.linkDown(true);
        Thread.sleep(SHORT_CUT_MS);
        proxy.linkDown(false);
        long up = System.currentTimeMillis();
        long back = ReconnectLog.awaitReconnects(daemonLog(), 1, 30_000).reconnectAfter(down);
        writer.finish(120_000);

        Map<String, Long> counters = client.counters("nbd");
        System.out.printf("link down %d ms under dd (io-timeout %d s): client back %d ms after the link came up; pass times %s ms; counters %s%n",
                up - down, IO_TIMEOUT_S, back - up, writer.passMillis(), counters);
        assertEquals(List.of(), writer.failures(), "the writer saw errors");
        assertTrue(proxy.bytesHeldByLinkDown(FaultProxy.Direction.CLIENT_TO_SERVER) > 0, "the cut did not hit the write stream");
        assertTrue(counters.get("reconnects") >= 1, "status counters: " + counters);
        assertTrue(counters.get("resent") >= 1, "status counters: " + counters);
        assertEquals(0L, counters.get("timed-out"), "status counters: " + counters);
        assertEquals(0L, counters.get("errors"), "status counters: " + counters);
        assertLastPassLanded(writer, writer.completed());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void cutLongerThanTheDeadlineFailsWithEioThenNewWritesWork() throws Exception {
        attachThroughProxy();
        DirectWriter writer = new DirectWriter(device, tmp, MIB);
        Path one = DirectWriter.pattern(2, 1, tmp.resolve("one.bin"));
        writer.dd(writer.pattern(1), 0, MIB, true).ok("dd before the cut");

        proxy.linkDown(true);
        long start = System.nanoTime();
        Host.Result failed = writer.dd(one, 0, 1, false); // the write alone: dd's fsync would wait for its own deadline
        long eioMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long up = System.currentTimeMillis();
        proxy.linkDown(false);
        // The write that failed may still be in the down link's buffers, on a connection the client gave up: the link
        // delivers it first. A new write is issued once the client is back (PROTOCOL.md §9: NBD cannot fence that copy).
        long back = ReconnectLog.awaitReconnects(daemonLog(), 1, 30_000).reconnectAfter(up - 1);
        long t0 = System.nanoTime();
        Host.Result after = writer.dd(writer.pattern(3), 0, MIB, true);
        long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        Map<String, Long> counters = client.counters("nbd");
        System.out.printf("link down past io-timeout %d s: dd failed after %d ms (%d ms past the deadline): %s; the client was back "
                        + "%d ms after the link came up, then a %d MiB pass took %d ms; counters %s%n", IO_TIMEOUT_S, eioMs,
                eioMs - IO_TIMEOUT_S * 1000L, failed.output().trim(), back - up, MIB, afterMs, counters);
        assertNotEquals(0, failed.exitCode(), "the write went through a link that was down: " + failed.output());
        assertTrue(failed.output().contains("Input/output error"), "dd: " + failed.output());
        // Not before the deadline (the kernel hands the write on within ms of dd's start), at most 2 s after it.
        assertTrue(eioMs >= IO_TIMEOUT_S * 1000L - 1000 && eioMs <= IO_TIMEOUT_S * 1000L + 2000, "EIO after " + eioMs + " ms");
        after.ok("dd once the link was back");
        assertTrue(counters.get("timed-out") >= 1, "status counters: " + counters);
        assertTrue(counters.get("reconnects") >= 1, "status counters: " + counters);
        assertLastPassLanded(writer, 3);
    }

    /** Pass {@code g} reads back exactly from the device and, after detaching, from nbdkit's file. */
    private void assertLastPassLanded(DirectWriter writer, int g) throws Exception {
        assertEquals(Map.of(Blocks.Verdict.OK, MIB), writer.checkDevice(g), "device read back against pass " + g);
        client.run("detach", device.toString());
        assertEquals(Map.of(Blocks.Verdict.OK, MIB), DirectWriter.check(server.rawImage(tmp), g, MIB), "nbdkit's file against pass " + g);
    }


    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) client.detachAll();
        if (proxy != null) proxy.close();
        if (server != null) server.close();
    }
}
