package dst.it.fuse;

import dst.it.harness.ClientCli;
import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FUSE frontend answers the kernel asynchronously (FUSE_ASYNC_DIO), so a queue of direct I/O on the loop
 * device becomes that many requests on the wire at once, not one round trip after another. The server holds
 * every write for 50 ms, so requests pile up whenever the frontend lets them; the client's own count of
 * requests in flight (shown by {@code status}) must reach well beyond one.
 */
class LoopQueueDepthReachesTheServerIT {
    private static final Pattern PEAK = Pattern.compile("peak-in-flight=(\\d+)");

    @TempDir
    Path tmp;
    private ClientCli client;
    private ServerProcess server;

    @Test
    void sixteenQueuedWritesAreInFlightTogether() throws Exception {
        Host.assumeRig("fio");
        server = ServerProcess.start("fuse-qd", "d=" + tmp.resolve("disk.img") + ",size=64M,delay-write=50");
        client = new ClientCli(tmp.resolve("run"));
        Path device = client.attach("127.0.0.1:" + server.port() + "/d", "--cache", "0", "--read-ahead", "0");

        Host.run("fio", "--name=qd", "--filename=" + device, "--direct=1", "--ioengine=libaio", "--rw=randwrite", "--bs=4k",
                "--iodepth=16", "--size=64M", "--io_size=1M", "--randrepeat=0");

        int peak = 0;
        long deadline = System.nanoTime() + 15_000_000_000L; // the daemon publishes its counters every few seconds
        while (peak < 8 && System.nanoTime() < deadline) {
            Matcher m = PEAK.matcher(client.run("status", device.toString()));
            if (m.find()) peak = Integer.parseInt(m.group(1));
            if (peak < 8) Thread.sleep(250);
        }
        assertTrue(peak >= 8, "with 16 writes queued on " + device + " at most " + peak + " reached the server at once");
        client.run("detach", device.toString());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) client.detachAll();
        if (server != null) server.close();
    }
}
