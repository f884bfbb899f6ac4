package dst.it.security;

import dst.client.core.ClientConfig;
import dst.client.core.Credentials;
import dst.client.net.RemoteDisk;
import dst.it.harness.Io;
import dst.it.harness.RawConnection;
import dst.it.harness.ServerProcess;
import dst.protocol.DstException;
import dst.protocol.Hello;
import dst.protocol.auth.ClientKey;
import dst.server.auth.ClientKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real server process with 100 exports, each reserved to one identity (allow=clientN:rw). 100
 * authenticated clients do verified I/O on their own export at the same time, while one more peer
 * keeps sending garbage, wrong keys and half handshakes. All 100 must finish correctly.
 */
class HundredAuthenticatedClientsAndAGarbageSenderIT {
    private static final int CLIENTS = 100;

    @TempDir
    Path dir;

    @Test
    void everyClientFinishesCorrectly() throws Exception {
        byte[][] keys = new byte[CLIENTS][];
        ClientKeys all = ClientKeys.none();
        for (int i = 0; i < CLIENTS; i++) {
            keys[i] = ClientKey.generate();
            all = all.with("client" + i, keys[i]);
        }
        Path clients = dir.resolve("clients");
        all.save(clients);
        ServerProcess.Builder b = ServerProcess.builder("hundred").arg("--clients", clients.toString(), "--io-threads", "8");
        for (int i = 0; i < CLIENTS; i++) b.export("e" + i + "=mem:2M,allow=client" + i + ":rw");
        try (ServerProcess server = b.start()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong garbage = new AtomicLong();
            Thread attacker = new Thread(() -> attack(server.port(), stop, garbage), "garbage-sender");
            attacker.start();
            // The attack must be under way before the clients start, or a fast run would test nothing.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (garbage.get() < 10 && System.nanoTime() < deadline) Thread.sleep(10);
            long beforeClients = garbage.get();
            assertTrue(beforeClients >= 10, "the garbage sender got going: " + beforeClients);
            long duringClients;
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    int n = i;
                    results.add(pool.submit(() -> verifiedIo(server.port(), n, keys[n])));
                }
                int ok = 0;
                for (Future<Integer> f : results) ok += f.get(240, TimeUnit.SECONDS);
                duringClients = garbage.get() - beforeClients;
                assertEquals(CLIENTS, ok);
            } finally {
                stop.set(true);
                attacker.join(10_000);
                pool.shutdownNow();
            }
            assertTrue(duringClients > 0, "hostile connections were made while the clients ran: " + duringClients);
            assertTrue(server.isAlive());
            System.out.println("100 clients verified their I/O while " + garbage.get() + " hostile connections were made");
        }
    }

    /** Writes 16 blocks of its own pattern, reads them back, compares; also checks it cannot use a neighbour's export. */
    private static int verifiedIo(int port, int n, byte[] key) throws Exception {
        ClientConfig c = ClientConfig.builder("127.0.0.1", port, "e" + n).connectTimeout(Duration.ofSeconds(60))
                .credentials(new Credentials("client" + n, key)).build();
        try (RemoteDisk disk = RemoteDisk.connect(c)) {
            for (int round = 0; round < 4; round++) {
                for (int blk = 0; blk < 16; blk++) Io.writeAndVerify(disk, (long) blk * 65536, n * 1000L + round * 16 + blk, 16384);
            }
        }
        RemoteDisk.connect(c).close(); // and again: every login is a fresh challenge
        ClientConfig neighbour = ClientConfig.builder("127.0.0.1", port, "e" + ((n + 1) % CLIENTS)).connectTimeout(Duration.ofSeconds(60))
                .credentials(new Credentials("client" + n, key)).build();
        try {
            RemoteDisk.connect(neighbour).close();
            throw new AssertionError("client" + n + " got into its neighbour's export");
        } catch (DstException expected) {
            assertEquals(dst.protocol.Errno.EACCES, expected.errno());
        }
        return 1;
    }

    private static void attack(int port, AtomicBoolean stop, AtomicLong count) {
        Random rnd = new Random(99);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!stop.get() && System.nanoTime() < until) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(2000);
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        byte[] junk = new byte[1 + rnd.nextInt(8192)];
                        rnd.nextBytes(junk);
                        OutputStream out = s.getOutputStream();
                        out.write(junk);
                        out.flush();
                    }
                    case 1 -> {
                        try (RawConnection raw = RawConnection.over(s)) {
                            raw.login("e" + rnd.nextInt(CLIENTS), "client" + rnd.nextInt(CLIENTS), ClientKey.generate());
                        } catch (Exception refused) {
                            // expected: EACCES
                        }
                    }
                    default -> {
                        byte[] hello = RawConnection.encode(new Hello("e0", 0, 0, 1 << 20, 0, "half").toFrame());
                        s.getOutputStream().write(hello, 0, Math.min(rnd.nextInt(40), hello.length)); // cut short
                    }
                }
                count.incrementAndGet();
            } catch (Exception e) {
                // the server closes on us: fine
            }
        }
    }
}
