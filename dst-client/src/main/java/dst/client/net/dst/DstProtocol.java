package dst.client.net.dst;

import dst.client.core.ClientConfig;
import dst.client.net.WireProtocol;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeEncoder;
import dst.protocol.Hello;
import dst.protocol.Opcode;
import dst.protocol.ReplyDecoder;
import dst.protocol.Request;
import dst.protocol.RequestEncoder;
import dst.runtime.cli.Version;
import io.netty.channel.ChannelPipeline;


/**
 * dst's own protocol ({@code dst-protocol/PROTOCOL.md}) for the session.
 *
 * <pre>
 * handshake:  HandshakeDecoder -> HandshakeEncoder -> ClientHandshakeHandler
 * data:       ReplyDecoder -> RequestEncoder -> DstDataCodec
 * </pre>
 * The data handlers take the handshake decoder's place, so bytes it had read beyond the WELCOME go to
 * the reply decoder.
 */
public final class DstProtocol implements WireProtocol {
    public static final DstProtocol INSTANCE = new DstProtocol();

    private DstProtocol() {
    }

    @Override
    public String name() {
        return "dst";
    }

    @Override
    public void addHandshake(ChannelPipeline p, Handshake h) {
        ClientConfig config = h.config();
        int wanted = Features.FLUSH | Features.FUA | Features.TRIM | Features.WRITE_ZEROES | Features.RESIZE
                | (config.crc() ? Features.CRC32C : 0);
        // A fresh HELLO (and nonce) per connection: every reconnect authenticates anew.
        Hello hello = ClientHandshakeHandler.hello(config.export(), wanted, config.maxRequest(), h.sessionId(),
                "dst-client " + Version.get(), config.credentials()).withAttach(config.attach());
        p.addLast("handshakeDecoder", new HandshakeDecoder());
        p.addLast("handshakeEncoder", HandshakeEncoder.INSTANCE);
        p.addLast("handshake", new ClientHandshakeHandler(hello, config.credentials(), h.granted()));
    }

    @Override
    public void startDataPhase(ChannelPipeline p, ExportInfo granted, String target) {
        boolean crc = granted.has(Features.CRC32C);
        p.addAfter("handshakeDecoder", "replyDecoder", new ReplyDecoder(granted.maxRequest(), crc));
        p.addAfter("replyDecoder", "requestEncoder", new RequestEncoder(crc));
        p.addAfter("requestEncoder", "dstCodec", new DstDataCodec(target));
        p.remove("handshake");
        p.remove("handshakeEncoder");
        p.remove("handshakeDecoder");
    }

    @Override
    public Object keepalive(ExportInfo granted) {
        return new Request(Opcode.PING, 0, 0, 0, 0);
    }
}
