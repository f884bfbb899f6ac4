package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One option a client sent during option haggling: its code and its data. Owns the data (a retained slice of
 * the decoder's buffer): whoever holds it releases it once.
 */
final class NbdOption extends DefaultByteBufHolder {
    private final int code;

    NbdOption(int code, ByteBuf data) {
        super(data);
        this.code = code;
    }

    int code() {
        return code;
    }

    ByteBuf data() {
        return content();
    }

    @Override
    public NbdOption replace(ByteBuf content) {
        return new NbdOption(code, content);
    }

    @Override
    public String toString() {
        return Nbd.optionName(code) + "[" + content().readableBytes() + " B]";
    }
}
