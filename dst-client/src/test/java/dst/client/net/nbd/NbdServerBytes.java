package dst.client.net.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What an NBD server sends, written field by field from the NBD project's {@code doc/proto.md} with the spec's own
 * numbers (not the shared {@code dst.protocol.nbd.Nbd} constants: a wrong constant there must fail these tests). The buffers come
 * from the test's allocator, so the test can see that the client released every one.
 */
final class NbdServerBytes {
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long OPT_REPLY_MAGIC = 0x0003e889045565a9L;
    static final int SIMPLE_MAGIC = 0x67446698;
    static final int STRUCTURED_MAGIC = 0x668e33ef;
    static final int FLAG_DONE = 1;
    static final int TYPE_NONE = 0;
    static final int TYPE_OFFSET_DATA = 1;
    static final int TYPE_OFFSET_HOLE = 2;
    static final int TYPE_ERROR = (1 << 15) + 1;
    static final int TYPE_ERROR_OFFSET = (1 << 15) + 2;

    private final ByteBufAllocator alloc;

    NbdServerBytes(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Fixed newstyle greeting: NBDMAGIC IHAVEOPT u16 handshake flags (1 FIXED_NEWSTYLE, 2 NO_ZEROES). */
    ByteBuf greeting(int handshakeFlags) {
        return alloc.buffer().writeLong(NBDMAGIC).writeLong(IHAVEOPT).writeShort(handshakeFlags);
    }

    /** Option reply: u64 magic, u32 option, u32 reply type, u32 length, data. */
    ByteBuf optionReply(int option, int type, byte[] data) {
        return alloc.buffer().writeLong(OPT_REPLY_MAGIC).writeInt(option).writeInt(type).writeInt(data.length).writeBytes(data);
    }

    /** NBD_REP_INFO with NBD_INFO_EXPORT (0): u16 0, u64 size, u16 transmission flags. */
    ByteBuf infoExport(long size, int transmissionFlags) {
        byte[] d = new byte[12];
        ByteBuffer.wrap(d).putShort((short) 0).putLong(size).putShort((short) transmissionFlags);
        return optionReply(7, 3, d);
    }

    /** NBD_REP_INFO with NBD_INFO_BLOCK_SIZE (3): u16 3, u32 minimum, preferred, maximum. */
    ByteBuf infoBlockSize(int min, int preferred, int max) {
        byte[] d = new byte[14];
        ByteBuffer.wrap(d).putShort((short) 3).putInt(min).putInt(preferred).putInt(max);
        return optionReply(7, 3, d);
    }

    /** Answer to NBD_OPT_EXPORT_NAME: u64 size, u16 flags, 124 zero bytes unless NO_ZEROES was agreed. */
    ByteBuf exportNameReply(long size, int transmissionFlags, boolean zeroes) {
        ByteBuf b = alloc.buffer().writeLong(size).writeShort(transmissionFlags);
        return zeroes ? b.writeZero(124) : b;
    }

    /** Simple reply: u32 magic, u32 error, u64 cookie, then (READ, no error) the data. */
    ByteBuf simple(int error, long cookie, byte[] data) {
        return alloc.buffer().writeInt(SIMPLE_MAGIC).writeInt(error).writeLong(cookie).writeBytes(data);
    }

    /** Structured reply chunk: u32 magic, u16 flags, u16 type, u64 cookie, u32 length, payload. */
    ByteBuf chunk(int flags, int type, long cookie, byte[] payload) {
        return alloc.buffer().writeInt(STRUCTURED_MAGIC).writeShort(flags).writeShort(type).writeLong(cookie)
                .writeInt(payload.length).writeBytes(payload);
    }

    /** NBD_REPLY_TYPE_OFFSET_DATA: u64 offset, data. */
    ByteBuf offsetData(int flags, long cookie, long offset, byte[] data) {
        byte[] p = new byte[8 + data.length];
        ByteBuffer.wrap(p).putLong(offset).put(data);
        return chunk(flags, TYPE_OFFSET_DATA, cookie, p);
    }

    /** NBD_REPLY_TYPE_OFFSET_HOLE: u64 offset, u32 hole size. */
    ByteBuf offsetHole(int flags, long cookie, long offset, int size) {
        byte[] p = new byte[12];
        ByteBuffer.wrap(p).putLong(offset).putInt(size);
        return chunk(flags, TYPE_OFFSET_HOLE, cookie, p);
    }

    /** NBD_REPLY_TYPE_ERROR: u32 error, u16 message length, message. */
    ByteBuf error(int flags, long cookie, int error, String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[6 + m.length];
        ByteBuffer.wrap(p).putInt(error).putShort((short) m.length).put(m);
        return chunk(flags, TYPE_ERROR, cookie, p);
    }
}
