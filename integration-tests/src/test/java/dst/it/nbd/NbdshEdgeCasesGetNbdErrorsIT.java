package dst.it.nbd;

import dst.it.harness.Host;
import dst.it.harness.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests a well-behaved client does not send, sent with libnbd's client-side checks off (nbdsh scripts, strict
 * mode 0), and disconnects in the middle of work: each gets the NBD error the protocol asks for (proto.md, "Error
 * values") on a connection that keeps working, and the server keeps serving. The scripts read the server's backing
 * file themselves ({@code path}) to check what landed there.
 */
class NbdshEdgeCasesGetNbdErrorsIT {
    @TempDir
    Path tmp;
    private ServerProcess server;
    private Path disk;
    private Path ro;

    @BeforeEach
    void server() throws Exception {
        StockNbdTools.assumeInstalled("nbdsh");
        disk = tmp.resolve("disk.img");
        ro = tmp.resolve("ro.img");
        Host.run("truncate", "-s", "64M", disk.toString());
        Host.run("dd", "if=/dev/urandom", "of=" + ro, "bs=1M", "count=4", "status=none");
        server = ServerProcess.builder("nbdsh").nbd().jvmArg("-Dio.netty.leakDetection.level=paranoid")
                .export("disk=" + disk + ",block=4096").export("ro=" + ro + ",ro").start();
    }

    @Test
    void outOfRangeRequestsGetEinvalOrEnospcOnAConnectionThatGoesOn() throws Exception {
        script("disk", """
                h = connect()
                size = h.get_size()
                expect_error("read across the end", errno.EINVAL, lambda: h.pread(8192, size - 4096))
                expect_error("read after the end", errno.EINVAL, lambda: h.pread(4096, size + 4096))
                expect_error("write across the end", errno.ENOSPC, lambda: h.pwrite(b"x" * 8192, size - 4096))
                expect_error("write zeroes across the end", errno.ENOSPC, lambda: h.zero(8192, size - 4096))
                expect_error("trim across the end", errno.EINVAL, lambda: h.trim(8192, size - 4096))
                expect_error("cache across the end", errno.EINVAL, lambda: h.cache(8192, size - 4096))
                expect_error("offset near 2^64", errno.EINVAL, lambda: h.pread(4096, 2**64 - 4096))
                h.pwrite(b"e" * 4096, size - 4096)
                assert h.pread(4096, size - 4096) == b"e" * 4096
                with open(path, "rb") as f:
                    assert len(f.read()) == size, "the backing file grew"
                print("OK connection still serves")
                """, 7);
    }

    @Test
    void readOnlyExportRefusesEveryWriteWithEpermAndStaysUnchanged() throws Exception {
        String before = Host.sha256(ro);
        script("ro", """
                h = connect()
                assert h.is_read_only(), "NBD_FLAG_READ_ONLY not set"
                expect_error("write", errno.EPERM, lambda: h.pwrite(b"w" * 4096, 0))
                expect_error("write with FUA", errno.EPERM, lambda: h.pwrite(b"w" * 4096, 4096, nbd.CMD_FLAG_FUA))
                expect_error("write zeroes", errno.EPERM, lambda: h.zero(65536, 0))
                expect_error("trim", errno.EPERM, lambda: h.trim(65536, 0))
                with open(path, "rb") as f:
                    assert h.pread(1048576, 0) == f.read(1048576), "reads differ from the backing file"
                print("OK reads still work")
                """, 4);
        assertEquals(before, Host.sha256(ro), "the read-only export changed");
    }

    @Test
    void zeroLengthRequestsAreAnsweredNotDisconnected() throws Exception {
        // proto.md leaves the result of a zero-length request to the server: a reply either way, no disconnect.
        script("disk", """
                h = connect()
                for what, fn in [("read", lambda: h.pread(0, 4096)), ("write", lambda: h.pwrite(b"", 4096)),
                                 ("trim", lambda: h.trim(0, 4096)), ("write zeroes", lambda: h.zero(0, 4096)),
                                 ("cache", lambda: h.cache(0, 4096)), ("flush", lambda: h.flush())]:
                    try:
                        fn()
                        print(f"OK zero-length {what}: success")
                    except nbd.Error as e:
                        assert e.errnum in (errno.EINVAL, errno.ENOSPC), f"zero-length {what}: errno {e.errnum} {e.string}"
                        print(f"OK zero-length {what}: {errno.errorcode[e.errnum]}")
                    assert h.aio_is_ready(), f"connection gone after a zero-length {what}"
                h.pwrite(b"z" * 4096, 0)
                assert h.pread(4096, 0) == b"z" * 4096
                print("OK connection still serves")
                """, 7);
    }

    @Test
    void unalignedRequestsFollowTheAdvertisedMinimumBlockSize() throws Exception {
        // A minimum block size above 1 must be enforced (EINVAL); a minimum of 1 (or none) promises byte-granular
        // requests, which must then be right to the byte.
        script("disk", """
                h = connect()
                minimum = h.get_block_size(nbd.SIZE_MINIMUM)
                preferred = h.get_block_size(nbd.SIZE_PREFERRED)
                maximum = h.get_block_size(nbd.SIZE_MAXIMUM)
                print(f"OK block sizes: minimum {minimum} preferred {preferred} maximum {maximum}")
                assert preferred in (0, 4096) or preferred >= 4096, f"export has block=4096, preferred {preferred}"
                h.pwrite(b"a" * 16384, 0)
                if minimum > 1:
                    expect_error("unaligned read", errno.EINVAL, lambda: h.pread(100, 4097))
                    expect_error("unaligned write", errno.EINVAL, lambda: h.pwrite(b"u" * 100, 4097))
                    expect_error("unaligned length", errno.EINVAL, lambda: h.pwrite(b"u" * (minimum + 1), 0))
                    expect_error("unaligned trim", errno.EINVAL, lambda: h.trim(1000, 1))
                    expect_error("unaligned write zeroes", errno.EINVAL, lambda: h.zero(1000, 1))
                    assert h.pread(16384, 0) == b"a" * 16384, "an unaligned request changed data"
                else:
                    h.pwrite(b"u" * 100, 4097)
                    h.zero(10, 9000)
                    expected = b"a" * 4097 + b"u" * 100 + b"a" * (9000 - 4197) + bytes(10) + b"a" * (16384 - 9010)
                    assert h.pread(16384, 0) == expected, "byte-granular write/zero read back wrong"
                    assert h.pread(3, 4098) == b"uuu"
                    h.flush()
                    with open(path, "rb") as f:
                        assert f.read(16384) == expected, "byte-granular write/zero not in the backing file"
                    print("OK byte-granular requests are exact")
                h.pwrite(b"b" * 4096, 8192)
                assert h.pread(4096, 8192) == b"b" * 4096
                print("OK connection still serves")
                """, 3);
    }

    @Test
    void softDisconnectWithWritesInFlightCompletesEveryOne() throws Exception {
        // NBD_CMD_DISC: "The server MUST handle all outstanding requests" before it closes the connection. A server
        // that drops them loses a few writes in some rounds only (the race is with its I/O threads): 8 rounds.
        script("disk", """
                MiB = 1048576
                for round in range(8):
                    h = connect(strict=True)
                    for i in range(32):
                        h.aio_pwrite(nbd.Buffer.from_bytearray(bytearray([round * 32 + i + 1]) * MiB), i * MiB)
                    h.shutdown()   # sends every queued request, then NBD_CMD_DISC; returns when the server closed
                    del h
                    with open(path, "rb") as f:
                        for i in range(32):
                            f.seek(i * MiB)
                            assert f.read(MiB) == bytes([round * 32 + i + 1]) * MiB, f"round {round}: write {i} in flight at NBD_CMD_DISC is missing"
                    print(f"OK round {round}: all 32 writes in flight at the disconnect landed")
                """, 8);
    }

    @Test
    void hardDisconnectWithRequestsInFlightLeavesTheServerServing() throws Exception {
        script("disk", """
                import os, socket, struct
                MiB = 1048576
                for round in range(5):
                    h = connect(strict=True)
                    for i in range(16):
                        h.aio_pwrite(nbd.Buffer.from_bytearray(bytearray(b"h") * MiB), i * MiB)
                        h.aio_pread(nbd.Buffer(MiB), (16 + i) * MiB)
                    while h.aio_peek_command_completed() <= 0:   # the server is at work on them
                        h.poll(-1)
                    in_flight = h.aio_in_flight()
                    # SO_LINGER 0 through a duplicate of libnbd's socket; then closing the handle sends RST and the
                    # replies still owed go nowhere (the handle closes its own fd: no other fd number is reused under it).
                    s = socket.socket(fileno=os.dup(h.aio_get_fd()))
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                    del h
                    print(f"OK round {round}: connection reset with {in_flight} requests in flight")
                h2 = connect(strict=True)
                h2.pwrite(b"k" * 65536, 40 * MiB)
                assert h2.pread(65536, 40 * MiB) == b"k" * 65536
                h2.shutdown()
                print("OK a new connection is served")
                """, 6);
        assertTrue(server.isAlive(), "the server died of the resets");
    }

    @Test
    void fuaFlushCacheAndWriteZeroesDoWhatTheySay() throws Exception {
        script("disk", """
                MiB = 1048576
                h = connect()
                assert h.can_fua() and h.can_flush() and h.can_cache() and h.can_zero() and h.can_trim()
                h.pwrite(b"f" * MiB, 0, nbd.CMD_FLAG_FUA)
                with open(path, "rb") as f:
                    assert f.read(MiB) == b"f" * MiB, "a FUA write is not in the backing file when acknowledged"
                h.pwrite(b"g" * (2 * MiB), MiB)
                h.zero(65536, MiB + 4096, nbd.CMD_FLAG_NO_HOLE)
                h.zero(65536, 2 * MiB)
                h.trim(MiB // 2, 2 * MiB + MiB // 2)
                h.flush()
                h.cache(4 * MiB, 0)
                expected = b"g" * 4096 + bytes(65536) + b"g" * (MiB - 4096 - 65536) + bytes(65536) + b"g" * (MiB // 2 - 65536)
                assert h.pread(len(expected), MiB) == expected, "write zeroes read back wrong"
                with open(path, "rb") as f:
                    f.seek(MiB)
                    assert f.read(len(expected)) == expected, "write zeroes not in the backing file after a flush"
                    assert f.read(MiB // 2) == bytes(MiB // 2), "trimmed range does not read as zeros in the backing file"
                print("OK fua, flush, write zeroes, trim, cache")
                """, 1);
    }

    /** Runs the script against an export; it must exit 0 and print {@code okLines} lines starting with OK. */
    private void script(String export, String body, int okLines) throws Exception {
        Path file = export.equals("ro") ? ro : disk;
        String pathLine = "path = '" + file + "'\n";
        Host.Result r = StockNbdTools.nbdsh(server.nbdUri(export), pathLine + body);
        assertEquals(0, r.exitCode(), "nbdsh script failed:\n" + r.output() + "\n(server log " + server.logFile() + ")");
        long ok = r.output().lines().filter(l -> l.startsWith("OK ")).count();
        assertTrue(ok >= okLines, "expected " + okLines + " OK lines:\n" + r.output());
        assertTrue(server.isAlive(), "the server is gone");
    }

    @AfterEach
    void stop() {
        if (server == null) return;
        server.close();
        assertFalse(server.logText().contains("LEAK:"), "the server leaked buffers, see " + server.logFile());
    }
}
