package dst.it.security;

import dst.protocol.HandshakeEncoder;
import dst.protocol.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.Arrays;

/** Raw bytes of frames, for peers that send them cut short. */
final class FrameBytes {
    private FrameBytes() {
    }

    /** The first {@code n} bytes of an anonymous HELLO. */
    static byte[] helloPrefix(int n) {
        ByteBuf b = Unpooled.buffer();
        try {
            HandshakeEncoder.encodeTo(new Hello("e0", 0, 0, 1 << 20, 0, "half").toFrame(), b);
            byte[] all = new byte[b.readableBytes()];
            b.readBytes(all);
            return Arrays.copyOf(all, Math.min(n, all.length));
        } finally {
            b.release();
        }
    }
}
