package dst.it;

import dst.it.harness.RawConnection;
import dst.it.harness.Repo;
import dst.it.harness.ServerProcess;
import dst.protocol.Errno;
import dst.protocol.Opcode;
import dst.protocol.Request;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request the server cannot run is answered with its errno (EPERM for a write to a read-only export,
 * ENOSPC for a write or zeroing past the end, EINVAL for any other range outside the export or a bad length, EOPNOTSUPP for an unknown opcode) and the
 * connection keeps working for the next request.
 */
class RequestErrorsAreRepliesAndConnectionSurvivesIT {
    private static final int SIZE = 1 << 20;
    private static ServerProcess server;
    private static byte[] roContent;
    private RawConnection rw;
    private RawConnection ro;

    @BeforeAll
    static void start() throws IOException {
        Path roFile = Repo.targetDir("it-data").resolve("request-errors-ro.img");
        roContent = new byte[SIZE];
        new Random(5).nextBytes(roContent);
        Files.write(roFile, roContent);
        server = ServerProcess.builder("request-errors")
                .export("rw=mem:" + SIZE)
                .export("ro=" + roFile + ",ro")
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @AfterEach
    void closeConnections() throws IOException {
        if (rw != null) rw.close();
        if (ro != null) ro.close();
    }

    private RawConnection rw() throws IOException {
        if (rw == null) rw = RawConnection.open(server.port(), "rw");
        return rw;
    }

    private RawConnection ro() throws IOException {
        if (ro == null) ro = RawConnection.open(server.port(), "ro");
        return ro;
    }

    private static void assertStatus(int errno, RawConnection c, Request r) throws IOException {
        String what = r.toString();
        int status = c.status(r);
        assertEquals(errno, status, what + " got " + RawConnection.errno(status) + ", expected " + RawConnection.errno(errno));
    }

    private static void assertStillServes(RawConnection c) throws IOException {
        byte[] data = new byte[4096];
        new Random(c.nextTransactionId()).nextBytes(data);
        c.write(8192, data);
        assertArrayEquals(data, c.read(8192, data.length));
    }

    @Test
    void readOnlyExportIsAdvertisedAndReadable() throws IOException {
        assertTrue(ro().info().readOnly());
        assertEquals(SIZE, ro().info().size());
        assertArrayEquals(java.util.Arrays.copyOfRange(roContent, 4096, 8192), ro().read(4096, 4096));
    }

    @Test
    void writesToAReadOnlyExportGetEperm() throws IOException {
        RawConnection c = ro();
        assertStatus(Errno.EPERM, c, new Request(Opcode.WRITE, 0, c.nextTransactionId(), 0, 512, Unpooled.wrappedBuffer(new byte[512])));
        assertStatus(Errno.EPERM, c, new Request(Opcode.WRITE, Opcode.FLAG_FUA, c.nextTransactionId(), 512, 512, Unpooled.wrappedBuffer(new byte[512])));
        assertStatus(Errno.EPERM, c, new Request(Opcode.TRIM, 0, c.nextTransactionId(), 0, 4096));
        assertStatus(Errno.EPERM, c, new Request(Opcode.WRITE_ZEROES, 0, c.nextTransactionId(), 0, 4096));
        assertStatus(Errno.OK, c, new Request(Opcode.FLUSH, 0, c.nextTransactionId(), 0, 0));
        assertArrayEquals(java.util.Arrays.copyOfRange(roContent, 0, 1024), c.read(0, 1024), "a refused write changed the export");
    }

    @Test
    void requestsOutsideTheExportGetEinval() throws IOException {
        RawConnection c = rw();
        assertStatus(Errno.EINVAL, c, new Request(Opcode.READ, 0, c.nextTransactionId(), SIZE, 512));
        assertStatus(Errno.EINVAL, c, new Request(Opcode.READ, 0, c.nextTransactionId(), SIZE - 512, 1024));
        assertStatus(Errno.EINVAL, c, new Request(Opcode.READ, 0, c.nextTransactionId(), -512, 512));
        assertStatus(Errno.EINVAL, c, new Request(Opcode.READ, 0, c.nextTransactionId(), Long.MAX_VALUE, 512));
        assertStatus(Errno.EINVAL, c, new Request(Opcode.TRIM, 0, c.nextTransactionId(), SIZE, 4096));
        assertStatus(Errno.EINVAL, c, new Request(Opcode.WRITE, 0, c.nextTransactionId(), -512, 512, Unpooled.wrappedBuffer(new byte[512])));
        assertStillServes(c);
        // The edges themselves are inside.
        assertEquals(512, c.read(SIZE - 512, 512).length);
        assertEquals(0, c.read(SIZE, 0).length);
    }

    /** Storing past the end is "no space" (the one rule, ExportInfo.refusal; the NBD spec and nbdkit say the same). */
    @Test
    void writesAndZeroingPastTheEndGetEnospc() throws IOException {
        RawConnection c = rw();
        assertStatus(Errno.ENOSPC, c, new Request(Opcode.WRITE, 0, c.nextTransactionId(), SIZE - 256, 512, Unpooled.wrappedBuffer(new byte[512])));
        assertStatus(Errno.ENOSPC, c, new Request(Opcode.WRITE, 0, c.nextTransactionId(), SIZE, 512, Unpooled.wrappedBuffer(new byte[512])));
        assertStatus(Errno.ENOSPC, c, new Request(Opcode.WRITE_ZEROES, 0, c.nextTransactionId(), 0, SIZE + 512));
        assertStillServes(c);
    }

    @Test
    void readOverTheNegotiatedMaximumGetsEinval() throws IOException {
        RawConnection c = rw();
        assertStatus(Errno.EINVAL, c, new Request(Opcode.READ, 0, c.nextTransactionId(), 0, c.info().maxRequest() + 512));
        assertStillServes(c);
    }

    @Test
    void writeWhoseLengthDisagreesWithItsPayloadGetsEinval() throws IOException {
        RawConnection c = rw();
        assertStatus(Errno.EINVAL, c, new Request(Opcode.WRITE, 0, c.nextTransactionId(), 0, 1024, Unpooled.wrappedBuffer(new byte[512])));
        assertStatus(Errno.EINVAL, c, new Request(Opcode.WRITE, 0, c.nextTransactionId(), 0, 512));
        assertStillServes(c);
    }

    @Test
    void unknownOpcodesGetEopnotsupp() throws IOException {
        RawConnection c = rw();
        assertStatus(Errno.EOPNOTSUPP, c, new Request(0x7F, 0, c.nextTransactionId(), 0, 512));
        assertStatus(Errno.EOPNOTSUPP, c, new Request(0xFF, 0, c.nextTransactionId(), 0, 0));
        assertStatus(Errno.EOPNOTSUPP, c, new Request(Opcode.CONNECTION_ERROR, 0, c.nextTransactionId(), 0, 0));
        assertStatus(Errno.EOPNOTSUPP, c, new Request(0x42, 0, c.nextTransactionId(), 0, 3, Unpooled.wrappedBuffer(new byte[3])));
        assertStillServes(c);
    }

    @Test
    void errorRepliesEchoOpcodeAndTransactionAndExplain() throws IOException {
        RawConnection c = ro();
        var reply = c.call(new Request(Opcode.TRIM, 0, 0x7766554433221100L, 0, 4096));
        try {
            assertEquals(Opcode.TRIM, reply.opcode());
            assertEquals(0x7766554433221100L, reply.transactionId());
            assertEquals(Errno.EPERM, reply.status());
            assertTrue(reply.message().contains("read-only"), reply.message());
        } finally {
            reply.release();
        }
    }

    @Test
    void pingIsAnsweredAtOnce() throws IOException {
        RawConnection c = rw();
        assertStatus(Errno.OK, c, new Request(Opcode.PING, 0, c.nextTransactionId(), 0, 0));
    }
}
