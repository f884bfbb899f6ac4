package dst.it;

import dst.it.harness.RawConnection;
import dst.it.harness.ServerProcess;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.Request;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many requests in flight at once, on several connections: each is answered exactly once, with its own
 * transaction id and the right data, whatever order the replies come in.
 */
class PipelinedRequestsAreEachAnsweredOnceIT {
    private static final int BLOCK = 16384;
    private static final int IN_FLIGHT = 256;
    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start("pipelined", "disk=mem:64M");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** One connection owns the region [base, base + IN_FLIGHT * BLOCK): writes it all pipelined, then reads it all pipelined. */
    private static int writeThenReadPipelined(long base, long seed) throws Exception {
        Random random = new Random(seed);
        int outOfOrder = 0;
        try (RawConnection c = RawConnection.open(server.port(), "disk")) {
            Map<Long, byte[]> data = new HashMap<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                byte[] block = new byte[BLOCK];
                random.nextBytes(block);
                long id = 1000 + i;
                data.put(id, block);
                c.send(new Request(Opcode.WRITE, 0, id, base + (long) i * BLOCK, BLOCK, Unpooled.wrappedBuffer(block)));
            }
            Map<Long, Integer> answered = new HashMap<>();
            long last = -1;
            for (int i = 0; i < IN_FLIGHT; i++) {
                Reply r = c.readReply();
                try {
                    assertEquals(Opcode.WRITE, r.opcode(), r.toString());
                    assertTrue(r.isOk(), r + " " + r.message());
                    assertTrue(data.containsKey(r.transactionId()), "unknown transaction " + r.transactionId());
                    answered.merge(r.transactionId(), 1, Integer::sum);
                    if (r.transactionId() < last) outOfOrder++;
                    last = r.transactionId();
                } finally {
                    r.release();
                }
            }
            assertEquals(IN_FLIGHT, answered.size(), "some writes answered twice, others never");

            for (int i = 0; i < IN_FLIGHT; i++) {
                c.send(new Request(Opcode.READ, 0, 5000 + i, base + (long) i * BLOCK, BLOCK));
            }
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                Reply r = c.readReply();
                try {
                    assertEquals(Opcode.READ, r.opcode(), r.toString());
                    assertTrue(r.isOk(), r + " " + r.message());
                    long index = r.transactionId() - 5000;
                    assertArrayEquals(data.get(1000 + index), ByteBufUtil.getBytes(r.payload()), "read " + index);
                    seen.add(index);
                } finally {
                    r.release();
                }
            }
            assertEquals(IN_FLIGHT, seen.stream().distinct().count());
        }
        return outOfOrder;
    }

    @Test
    void twoHundredFiftySixInFlightOnOneConnection() throws Exception {
        writeThenReadPipelined(0, 1);
    }

    @Test
    void fourConnectionsAtOnceEachWithTwoHundredFiftySixInFlight() {
        List<CompletableFuture<Integer>> clients = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            long base = (long) (k + 1) * IN_FLIGHT * BLOCK;
            long seed = 100 + k;
            clients.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return writeThenReadPipelined(base, seed);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        clients.forEach(CompletableFuture::join);
    }
}
