package dst.client.net.nbd;

import dst.client.net.Answer;
import dst.client.net.Op;
import dst.client.net.WireRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * One NBD connection's data phase on an {@link EmbeddedChannel}, as {@link NbdProtocol} builds it: the reply decoder
 * and the request encoder sharing the connection's {@link NbdInFlight}. Every buffer (the server's bytes, the
 * decoder's cumulation and assembled reads, the encoder's headers) comes from one instrumented allocator, so
 * {@link #close()} can prove that none is left: a leak fails the test, not just a log line.
 */
final class NbdCodecChannel implements AutoCloseable {
    final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    final NbdServerBytes server = new NbdServerBytes(alloc);
    final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Answer> answers = new ArrayList<>();

    NbdCodecChannel(int maxRequest, int keepaliveLength) {
        channel.config().setAllocator(alloc);
        NbdInFlight inFlight = new NbdInFlight();
        channel.pipeline().addLast(new NbdReplyDecoder(inFlight, maxRequest), new NbdRequestEncoder(inFlight, keepaliveLength, false));
    }

    /** Sends a request and returns what went on the wire (header, then a WRITE's payload), as one byte array. */
    byte[] send(long id, Op op, boolean fua, long offset, int length, ByteBuf payload) {
        channel.writeOutbound(new WireRequest(id, op, fua, offset, length, payload));
        return drainOutbound();
    }

    byte[] send(long id, Op op, long offset, int length) {
        return send(id, op, false, offset, length, Unpooled.EMPTY_BUFFER);
    }

    byte[] drainOutbound() {
        return drain(channel);
    }

    /** Everything {@code channel} wrote so far, as one byte array; the written buffers are released. */
    static byte[] drain(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return ByteBufUtil.getBytes(all);
    }

    /** The server's bytes arrive (the channel takes ownership of each buffer). */
    void receive(ByteBuf... frames) {
        channel.writeInbound((Object[]) frames);
    }

    /** The next answer the decoder passed on (released at close). */
    Answer answer() {
        Answer a = channel.readInbound();
        assertNotNull(a, "no answer decoded");
        answers.add(a);
        return a;
    }

    /** No more answers decoded. */
    boolean quiet() {
        return channel.inboundMessages().isEmpty();
    }

    /** Releases the answers, closes the connection (the decoder drops what it was assembling) and checks for leaks. */
    @Override
    public void close() {
        answers.forEach(Answer::release);
        channel.finishAndReleaseAll();
        assertEquals(0, alloc.metric().usedHeapMemory(), "buffers left unreleased by the NBD codec");
    }
}
