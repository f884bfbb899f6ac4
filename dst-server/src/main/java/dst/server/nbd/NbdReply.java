package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

import java.util.List;

/**
 * The whole answer to one request, before it is put in the negotiated reply form (simple, structured or
 * extended: {@link NbdReplyEncoder}): the request's cookie, offset and command, then an error (an NBD errno and a
 * message), or what a successful READ returns ({@link Content}: data and holes, in order), or what a BLOCK_STATUS
 * returns ({@link Status}), or nothing.
 *
 * <p>Owns the data buffers of its content: releasing the reply (the encoder does, after encoding) releases them.
 */
final class NbdReply extends AbstractReferenceCounted {
    /** Part of a READ's answer. */
    sealed interface Content permits Data, Hole {
        long offset();

        long length();
    }

    /** Bytes read at {@code offset}. */
    record Data(long offset, ByteBuf data) implements Content {
        @Override
        public long length() {
            return data.readableBytes();
        }
    }

    /** {@code length} bytes at {@code offset} that read as zeros (NBD_REPLY_TYPE_OFFSET_HOLE). */
    record Hole(long offset, long length) implements Content {
    }

    /** A BLOCK_STATUS answer for one metadata context: consecutive extents from the request's offset. */
    record Status(int contextId, long[] lengths, int[] flags) {
    }

    private final long cookie;
    private final long offset;
    private final int command;
    private final int error;
    private final String message;
    private final List<Content> content;
    private final Status status;

    private NbdReply(NbdRequest r, int error, String message, List<Content> content, Status status) {
        this.cookie = r.cookie();
        this.offset = r.offset();
        this.command = r.type();
        this.error = error;
        this.message = message;
        this.content = content;
        this.status = status;
    }

    static NbdReply ok(NbdRequest r) {
        return new NbdReply(r, 0, null, List.of(), null);
    }

    /** A failed request: {@code error} is an NBD errno ({@link Nbd#error} maps a dst one). */
    static NbdReply error(NbdRequest r, int error, String message) {
        if (error == 0) throw new IllegalArgumentException("an error reply needs a nonzero error");
        return new NbdReply(r, error, message, List.of(), null);
    }

    /** A successful READ; takes the data buffers. */
    static NbdReply read(NbdRequest r, List<Content> content) {
        return new NbdReply(r, 0, null, List.copyOf(content), null);
    }

    static NbdReply blockStatus(NbdRequest r, Status status) {
        return new NbdReply(r, 0, null, List.of(), status);
    }

    long cookie() {
        return cookie;
    }

    long offset() {
        return offset;
    }

    int command() {
        return command;
    }

    int error() {
        return error;
    }

    String message() {
        return message;
    }

    List<Content> content() {
        return content;
    }

    Status status() {
        return status;
    }

    @Override
    protected void deallocate() {
        for (Content c : content) {
            if (c instanceof Data d) d.data().release();
        }
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        return this;
    }

    @Override
    public String toString() {
        return Nbd.commandName(command) + "#" + Long.toHexString(cookie) + " -> " + (error == 0 ? "ok" : "error " + error);
    }
}
