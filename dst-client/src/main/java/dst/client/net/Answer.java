package dst.client.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * A server's answer to one transaction, whatever the protocol, as the protocol's data codec hands it to
 * the {@link ReplyHandler}. Ownership: holds the READ data (empty otherwise); the session releases it, or
 * passes it on to the reader.
 *
 * @see WireProtocol
 */
public final class Answer extends DefaultByteBufHolder {
    private final long id;
    private final int errno;
    private final String message;

    private Answer(long id, int errno, String message, ByteBuf data) {
        super(data);
        this.id = id;
        this.errno = errno;
        this.message = message;
    }

    /** Success; {@code data} is the READ data (its ownership passes to the answer), empty for the rest. */
    public static Answer ok(long id, ByteBuf data) {
        return new Answer(id, 0, "", data);
    }

    /** Failure with a Linux errno ({@link dst.protocol.Errno}) and the server's reason. */
    public static Answer error(long id, int errno, String message) {
        return new Answer(id, errno, message == null ? "" : message, Unpooled.EMPTY_BUFFER);
    }

    public long id() {
        return id;
    }

    public boolean isOk() {
        return errno == 0;
    }

    public int errno() {
        return errno;
    }

    public String message() {
        return message;
    }

    public ByteBuf data() {
        return content();
    }
}
