package dst.server.net;

import dst.protocol.ExportInfo;
import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.protocol.Tlv;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.ReplyDecoder;
import dst.protocol.RequestHeader;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A correct client on a real socket that keeps writing patterns into its own region of an export and
 * reading them back, one request at a time, until stopped; any error or mismatch is recorded. Built on
 * the real codecs (frames from FrameFuzzer's encoder), so it sees exactly what a real client would.
 */
final class WellBehavedClient implements Runnable {
    private final int port;
    private final String export;
    private final long regionOffset;
    private final int blockSize;
    volatile boolean stop;
    final AtomicLong verified = new AtomicLong();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    WellBehavedClient(int port, String export, long regionOffset, int blockSize) {
        this.port = port;
        this.export = export;
        this.regionOffset = regionOffset;
        this.blockSize = blockSize;
    }

    @Override
    public void run() {
        FrameFuzzer frames = new FrameFuzzer(7, 0);
        Random rnd = new Random(11);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            out.write(FrameFuzzer.handshake(new Hello(export, 1, 1, 1 << 20, 0, "good client").withAttach(Tlv.AttachFlags.SHARED).toFrame()));
            EmbeddedChannel hs = new EmbeddedChannel(new HandshakeDecoder());
            HandshakeFrame welcome = read(in, hs);
            ExportInfo info = ExportInfo.fromWelcome(welcome);
            hs.finishAndReleaseAll();
            EmbeddedChannel replies = new EmbeddedChannel(new ReplyDecoder(info.maxRequest(), true));
            long tx = 1;
            while (!stop) {
                byte[] data = new byte[blockSize];
                rnd.nextBytes(data);
                byte[] write = frames.request(Opcode.WRITE, 0, tx, regionOffset, blockSize, blockSize, false);
                System.arraycopy(data, 0, write, RequestHeader.SIZE, blockSize);
                FrameFuzzer.repairRequest(write);
                out.write(write);
                expectOk(read(in, replies), tx++, null);
                out.write(frames.request(Opcode.READ, 0, tx, regionOffset, blockSize, 0, true));
                expectOk(read(in, replies), tx++, data);
                verified.incrementAndGet();
                Thread.sleep(2); // a steady client, not a second load generator
            }
            replies.finishAndReleaseAll();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private static void expectOk(Reply r, long tx, byte[] data) {
        try {
            if (r.transactionId() != tx || !r.isOk()) throw new AssertionError("reply " + r + " to #" + tx + ": " + r.message());
            if (data != null) {
                byte[] got = new byte[r.payload().readableBytes()];
                r.payload().getBytes(r.payload().readerIndex(), got);
                if (!Arrays.equals(data, got)) throw new AssertionError("read back different data in #" + tx);
            }
        } finally {
            r.release();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T read(InputStream in, EmbeddedChannel decoder) throws IOException {
        byte[] buf = new byte[65536];
        while (true) {
            Object m = decoder.readInbound();
            if (m != null) return (T) m;
            int n = in.read(buf);
            if (n < 0) throw new IOException("server closed the good client's connection");
            decoder.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(buf, n)));
        }
    }
}
