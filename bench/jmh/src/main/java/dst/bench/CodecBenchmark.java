package dst.bench;

import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.ReplyDecoder;
import dst.protocol.ReplyEncoder;
import dst.protocol.Request;
import dst.protocol.RequestDecoder;
import dst.protocol.RequestEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The data-phase codecs as the pipelines run them (in an EmbeddedChannel): encoding a WRITE request on the
 * client, decoding it on the server, encoding a READ reply on the server, decoding it on the client, with and
 * without crc32c. Each operation includes the pooled allocations and releases the real path does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    private static final int MAX = 4 << 20;

    @Param({"4096", "131072", "1048576"})
    int size;

    @Param({"true", "false"})
    boolean crc;

    private ByteBuf payload;
    private ByteBuf requestFrame;
    private ByteBuf replyFrame;
    private EmbeddedChannel clientOut;
    private EmbeddedChannel serverIn;
    private EmbeddedChannel serverOut;
    private EmbeddedChannel clientIn;
    private long id;

    @Setup(Level.Trial)
    public void setUp() {
        payload = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        byte[] random = new byte[size];
        ThreadLocalRandom.current().nextBytes(random);
        payload.writeBytes(random);
        clientOut = new EmbeddedChannel(new RequestEncoder(crc));
        serverIn = new EmbeddedChannel(new RequestDecoder(MAX, crc));
        serverOut = new EmbeddedChannel(new ReplyEncoder(crc));
        clientIn = new EmbeddedChannel(new ReplyDecoder(MAX, crc));
        requestFrame = frame(clientOut, new Request(Opcode.WRITE, 0, 1, 0, size, payload.retainedDuplicate()));
        replyFrame = frame(serverOut, new Reply(Opcode.READ, 1, 0, payload.retainedDuplicate()));
    }

    /** The bytes a message becomes on the wire, as one direct buffer. */
    private static ByteBuf frame(EmbeddedChannel encoder, Object message) {
        encoder.writeOutbound(message);
        CompositeByteBuf all = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
        for (Object o; (o = encoder.readOutbound()) != null; ) all.addComponent(true, (ByteBuf) o);
        ByteBuf flat = PooledByteBufAllocator.DEFAULT.directBuffer(all.readableBytes());
        flat.writeBytes(all);
        all.release();
        return flat;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        payload.release();
        requestFrame.release();
        replyFrame.release();
        for (EmbeddedChannel ch : new EmbeddedChannel[]{clientOut, serverIn, serverOut, clientIn}) ch.finishAndReleaseAll();
    }

    @Benchmark
    public int encodeWriteRequest() {
        clientOut.writeOutbound(new Request(Opcode.WRITE, 0, ++id, 0, size, payload.retainedDuplicate()));
        return drain(clientOut);
    }

    @Benchmark
    public long decodeWriteRequest() {
        serverIn.writeInbound(requestFrame.retainedDuplicate());
        Request r = serverIn.readInbound();
        long t = r.transactionId();
        r.release();
        return t;
    }

    @Benchmark
    public int encodeReadReply() {
        serverOut.writeOutbound(new Reply(Opcode.READ, ++id, 0, payload.retainedDuplicate()));
        return drain(serverOut);
    }

    @Benchmark
    public long decodeReadReply() {
        clientIn.writeInbound(replyFrame.retainedDuplicate());
        Reply r = clientIn.readInbound();
        long t = r.transactionId();
        r.release();
        return t;
    }

    private static int drain(EmbeddedChannel ch) {
        int n = 0;
        for (Object o; (o = ch.readOutbound()) != null; ) {
            n += ((ByteBuf) o).readableBytes();
            ((ByteBuf) o).release();
        }
        return n;
    }
}
