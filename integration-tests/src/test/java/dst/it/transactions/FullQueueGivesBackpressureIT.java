package dst.it.transactions;

import dst.client.core.ClientConfig;
import dst.client.net.RemoteDisk;
import dst.it.harness.FaultProxy;
import dst.it.harness.ServerProcess;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * While the server does not answer, requests pile up in the client only up to its byte budget; then
 * the submitter waits (backpressure) instead of the heap filling up. When the link heals, everything
 * that was submitted completes.
 */
class FullQueueGivesBackpressureIT {
    private static final long BUDGET = 8L << 20;
    private static final int WRITE = 1 << 20;
    private static final int WRITES = 48;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void submitterWaitsAtTheBudgetAndEverythingCompletesAfterwards() throws Exception {
        try (ServerProcess server = ServerProcess.builder("backpressure").export("d=mem:64M").arg("--idle-timeout", "60").start();
             FaultProxy proxy = FaultProxy.start(server.port())) {
            ClientConfig config = Clients.builder(proxy.port(), "d", Duration.ofSeconds(60), Duration.ofSeconds(30)).maxQueuedBytes(BUDGET).build();
            try (RemoteDisk disk = RemoteDisk.connect(config)) {
                proxy.blackhole(true);
                AtomicInteger submitted = new AtomicInteger();
                List<CompletableFuture<Void>> futures = new ArrayList<>();
                Thread submitter = new Thread(() -> {
                    for (int i = 0; i < WRITES; i++) {
                        futures.add(disk.write((long) i * WRITE, Unpooled.wrappedBuffer(new byte[WRITE]), false));
                        submitted.incrementAndGet();
                    }
                }, "submitter");
                submitter.start();
                Thread.sleep(2000);
                int whileBlocked = submitted.get();
                Thread.State state = submitter.getState();
                assertTrue(whileBlocked <= BUDGET / WRITE + 1, whileBlocked + " writes of 1 MiB accepted with a budget of 8 MiB");
                assertEquals(Thread.State.WAITING, state, "the submitter must be waiting for budget");

                // The blackholed connection is now useless: drop it, heal, and let the client reconnect and resend.
                proxy.heal();
                proxy.cutAll();
                submitter.join(60_000);
                assertEquals(WRITES, submitted.get());
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                System.out.printf("backpressure: %d of %d writes admitted while the server was silent (budget 8 MiB), all %d completed after healing; %s%n",
                        whileBlocked, WRITES, WRITES, disk.stats().summary());
            }
        }
    }
}
