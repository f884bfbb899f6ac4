package dst.it.harness;

import dst.it.harness.FaultProxy.Direction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault proxy on its own, in front of an echo server: each fault does what it says and is counted. */
class FaultProxyTest {
    private EchoServer echo;
    private FaultProxy proxy;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        proxy = FaultProxy.start(echo.port());
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(5000);
        s.setTcpNoDelay(true);
        sockets.add(s);
        return s;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Sends {@code data} and reads as many bytes back, writing from another thread so neither side stalls. */
    private static byte[] roundTrip(Socket s, byte[] data) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(data);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] back = new byte[data.length];
        new DataInputStream(s.getInputStream()).readFully(back);
        writer.get();
        return back;
    }

    private static boolean closedWithin(Socket s, Duration d) throws IOException {
        s.setSoTimeout((int) d.toMillis());
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketException e) {
            return true; // reset
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void forwardsBothWaysUnchangedAndCounts() throws Exception {
        byte[] data = random(4 << 20, 1);
        assertArrayEquals(data, roundTrip(connect(), data));
        assertEquals(data.length, proxy.bytesForwarded(Direction.CLIENT_TO_SERVER));
        assertEquals(data.length, proxy.bytesForwarded(Direction.SERVER_TO_CLIENT));
        assertEquals(0, proxy.bitsFlipped(Direction.CLIENT_TO_SERVER) + proxy.bitsFlipped(Direction.SERVER_TO_CLIENT));
        assertEquals(1, proxy.connectionsAccepted());
        assertEquals(1, proxy.connectionsOpen());
    }

    @Test
    void cutAllResetsEveryConnectionAndLaterOnesStillWork() throws Exception {
        Socket a = connect();
        Socket b = connect();
        roundTrip(a, new byte[]{1});
        roundTrip(b, new byte[]{2});
        proxy.cutAll();
        assertTrue(closedWithin(a, Duration.ofSeconds(2)), "first connection still open after cutAll");
        assertTrue(closedWithin(b, Duration.ofSeconds(2)), "second connection still open after cutAll");
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (echo.closedByPeer() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(2, echo.closedByPeer(), "the server side was cut as well");
        assertEquals(0, proxy.connectionsOpen());
        assertArrayEquals(new byte[]{3}, roundTrip(connect(), new byte[]{3}));
        assertEquals(3, proxy.connectionsAccepted());
    }

    @Test
    void blackholeForwardsNothingAndClosesNothingUntilHealed() throws Exception {
        Socket s = connect();
        roundTrip(s, new byte[]{1});
        proxy.blackhole(true);
        s.getOutputStream().write("lost".getBytes());
        s.setSoTimeout(500);
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(), "a byte came through the blackhole");
        assertTrue(proxy.bytesDropped(Direction.CLIENT_TO_SERVER) >= 4);
        assertEquals(1, proxy.connectionsOpen(), "the blackhole closed the connection");
        assertEquals(0, echo.closedByPeer());

        proxy.blackhole(false);
        s.setSoTimeout(5000);
        assertArrayEquals("back".getBytes(), roundTrip(s, "back".getBytes()), "only bytes sent after healing arrive");
    }

    @Test
    void linkDownHoldsEveryByteAndCloseUntilItIsBackUp() throws Exception {
        Socket s = connect();
        roundTrip(s, new byte[]{1});
        proxy.linkDown(true);
        byte[] data = random(300_000, 3); // more than the socket buffers between here and the proxy hold
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(data);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        s.setSoTimeout(500);
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(), "a byte crossed the link while it was down");
        Socket late = connect(); // accepted, but nothing moves on it either
        late.getOutputStream().write(7);
        late.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> late.getInputStream().read(), "a new connection got through the down link");
        Socket closing = connect();
        Thread.sleep(200); // the proxy has connected its server side
        closing.close();
        Thread.sleep(300);
        assertEquals(0, echo.closedByPeer(), "a close crossed the down link");
        assertTrue(proxy.bytesHeldByLinkDown(Direction.CLIENT_TO_SERVER) > 0, "nothing was held");

        proxy.linkDown(false);
        s.setSoTimeout(5000);
        late.setSoTimeout(5000);
        byte[] back = new byte[data.length];
        new DataInputStream(s.getInputStream()).readFully(back);
        writer.get();
        assertArrayEquals(data, back, "bytes sent while the link was down arrive, all and in order, once it is up");
        assertEquals(7, late.getInputStream().read());
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (echo.closedByPeer() < 1 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(1, echo.closedByPeer(), "the close held by the down link reached the server");
    }

    @Test
    void delayAppliesToEachDirectionAndKeepsOrder() throws Exception {
        Socket s = connect();
        roundTrip(s, new byte[]{0});
        proxy.delay(Duration.ofMillis(300));
        long start = System.nanoTime();
        byte[] data = random(200_000, 2);
        InputStream in = s.getInputStream();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < data.length; i += 1000) {
                    s.getOutputStream().write(data, i, 1000);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] first = new byte[1];
        new DataInputStream(in).readFully(first);
        long firstByteMillis = (System.nanoTime() - start) / 1_000_000;
        byte[] rest = new byte[data.length - 1];
        new DataInputStream(in).readFully(rest);
        writer.get();
        assertTrue(firstByteMillis >= 600, "round trip took only " + firstByteMillis + " ms with 300 ms each way");
        assertTrue(firstByteMillis < 5000, "round trip took " + firstByteMillis + " ms");
        assertEquals(data[0], first[0]);
        assertArrayEquals(Arrays.copyOfRange(data, 1, data.length), rest, "reordered or lost under delay");

        proxy.delay(Duration.ZERO);
        long t0 = System.nanoTime();
        roundTrip(s, new byte[]{9});
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 500, "delay did not switch off");
    }

    /** Bit positions where {@code a} and {@code b} differ, and checks that each differing byte has one bit flipped. */
    private static List<Long> flippedBits(byte[] a, byte[] b) {
        List<Long> bits = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            int x = (a[i] ^ b[i]) & 0xFF;
            assertTrue(x == 0 || Integer.bitCount(x) == 1, "byte " + i + " has " + Integer.bitCount(x) + " flipped bits");
            if (x != 0) bits.add(i * 8L + Integer.numberOfTrailingZeros(x));
        }
        return bits;
    }

    @Test
    void flipsBitsAtTheRateInOneDirectionReproduciblyFromTheSeed() throws Exception {
        byte[] data = random(1 << 20, 3);
        proxy.flipBits(1e-3, 42, Direction.CLIENT_TO_SERVER);
        List<Long> first = flippedBits(data, roundTrip(connect(), data));
        assertEquals(first.size(), proxy.bitsFlipped(Direction.CLIENT_TO_SERVER), "counted flips = bits changed");
        assertEquals(0, proxy.bitsFlipped(Direction.SERVER_TO_CLIENT));
        assertTrue(first.size() > 900 && first.size() < 1200, "expected ~1049 flips at 1e-3 over 1 MiB, got " + first.size());

        // Same seed, new stream: the same positions, however TCP happens to chunk the bytes.
        proxy.flipBits(1e-3, 42, Direction.CLIENT_TO_SERVER);
        assertEquals(first, flippedBits(data, roundTrip(connect(), data)));

        proxy.flipBits(1e-3, 43, Direction.CLIENT_TO_SERVER);
        List<Long> other = flippedBits(data, roundTrip(connect(), data));
        assertTrue(!other.equals(first), "another seed gave the same flips");

        proxy.flipBits(0, 0, Direction.CLIENT_TO_SERVER);
        assertArrayEquals(data, roundTrip(connect(), data), "flipping did not stop at rate 0");
    }

    @Test
    void flipsServerToClientOnly() throws Exception {
        byte[] data = random(256 * 1024, 4);
        proxy.flipBits(1e-4, 7, Direction.SERVER_TO_CLIENT);
        List<Long> flips = flippedBits(data, roundTrip(connect(), data));
        assertTrue(flips.size() > 0);
        assertEquals(flips.size(), proxy.bitsFlipped(Direction.SERVER_TO_CLIENT));
        assertEquals(0, proxy.bitsFlipped(Direction.CLIENT_TO_SERVER));
    }

    @Test
    void bitFlipperHitsEveryByteAtRateOne() {
        FaultProxy.BitFlipper f = new FaultProxy.BitFlipper(1.0, 1);
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer(100).writeZero(100);
        assertEquals(100, f.apply(b));
        for (int i = 0; i < 100; i++) assertEquals(1, Integer.bitCount(b.getByte(i) & 0xFF));
        b.release();
    }
}
