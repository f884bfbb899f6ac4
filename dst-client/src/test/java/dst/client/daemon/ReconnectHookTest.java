package dst.client.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The --on-reconnect command: real /bin/sh runs, their environment, failures that stay harmless, coalescing. */
class ReconnectHookTest {
    @TempDir
    Path dir;

    @Test
    void runsTheCommandWithTheDevicesEnvironment() throws Exception {
        Path out = dir.resolve("out");
        ReconnectHook hook = new ReconnectHook("echo \"$DST_NAME $DST_DEVICE $DST_OUTAGE_MS\" >> " + out);
        hook.fire(Map.of("DST_NAME", "leg0", "DST_DEVICE", "/dev/loop7", "DST_OUTAGE_MS", "4200"));
        awaitRuns(hook, 1);
        assertEquals(List.of("leg0 /dev/loop7 4200"), Files.readAllLines(out));
        assertTrue(hook.lastOutcome().startsWith("exit 0 after "), hook.lastOutcome());
        hook.close();
    }

    @Test
    void aFailingCommandIsReportedAndTheNextRunStillHappens() throws Exception {
        Path out = dir.resolve("out");
        ReconnectHook hook = new ReconnectHook("echo run >> " + out + "; exit 3");
        hook.fire(Map.of());
        awaitRuns(hook, 1);
        assertTrue(hook.lastOutcome().startsWith("exit 3 after "), hook.lastOutcome());
        hook.fire(Map.of());
        awaitRuns(hook, 2);
        assertEquals(2, Files.readAllLines(out).size());
        hook.close();
    }

    @Test
    void reconnectsDuringARunCoalesceIntoOneMoreRunWithTheLatestEnvironment() throws Exception {
        Path out = dir.resolve("out");
        Path gate = dir.resolve("gate");
        Path started = dir.resolve("started");
        // The first run waits for the gate file, so that the next three fires arrive while it runs.
        ReconnectHook hook = new ReconnectHook("touch " + started + "; while [ ! -e " + gate + " ]; do sleep 0.05; done; "
                + "echo \"$DST_RECONNECTS\" >> " + out);
        hook.fire(Map.of("DST_RECONNECTS", "1"));
        for (long until = System.nanoTime() + 20_000_000_000L; !Files.exists(started) && System.nanoTime() < until; ) Thread.sleep(20);
        for (int i = 2; i <= 4; i++) hook.fire(Map.of("DST_RECONNECTS", Integer.toString(i)));
        Files.createFile(gate);
        awaitRuns(hook, 2);
        Thread.sleep(300); // a third run, if there were one, would have been queued already
        assertEquals(2, hook.runs());
        assertEquals(List.of("1", "4"), Files.readAllLines(out));
        hook.close();
    }

    @Test
    void anEmptyCommandIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReconnectHook(" "));
    }

    private static void awaitRuns(ReconnectHook hook, long runs) throws InterruptedException {
        long until = System.nanoTime() + 20_000_000_000L;
        while (hook.runs() < runs && System.nanoTime() < until) Thread.sleep(20);
        assertEquals(runs, hook.runs(), "runs of " + hook.command() + ", last: " + hook.lastOutcome());
    }
}
