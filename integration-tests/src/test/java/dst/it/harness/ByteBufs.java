package dst.it.harness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Buffers the client library hands to a test. */
public final class ByteBufs {
    private ByteBufs() {
    }

    /** The readable bytes of {@code buf}, which is released (the test owns what BlockDevice.read returned). */
    public static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
