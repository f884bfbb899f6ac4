package dst.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** crc32c (Castagnoli, hardware accelerated by the JDK) over ByteBuf ranges without copying. */
public final class Crc32c {
    private Crc32c() {
    }

    /** crc32c of {@code length} bytes of {@code buf} from absolute index {@code index}. */
    public static int of(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        update(crc, buf, index, length);
        return (int) crc.getValue();
    }

    /** Adds {@code length} bytes at {@code index} to {@code crc}; readerIndex is untouched. */
    public static void update(CRC32C crc, ByteBuf buf, int index, int length) {
        if (length == 0) {
            return;
        }
        // nioBuffer(s) hand out views of their own; internalNioBuffer would reposition a ByteBuffer the
        // buffer shares with its slices, which other threads may be using at the same moment.
        if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(index, length));
        } else {
            for (ByteBuffer part : buf.nioBuffers(index, length)) {
                crc.update(part);
            }
        }
    }
}
