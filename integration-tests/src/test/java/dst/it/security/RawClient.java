package dst.it.security;

import dst.protocol.DstException;
import dst.protocol.ExportInfo;
import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeEncoder;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.protocol.Reply;
import dst.protocol.ReplyDecoder;
import dst.protocol.Request;
import dst.protocol.RequestEncoder;
import dst.protocol.Tlv;
import dst.protocol.auth.AuthProof;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A blocking dst peer that speaks frames one by one over a real socket, built from the real codecs:
 * it plays a misbehaving client, or (over an accepted socket) a fake server. Not thread-safe.
 */
final class RawClient implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel handshakeDecoder = new EmbeddedChannel(new HandshakeDecoder());
    private EmbeddedChannel replyDecoder;
    private final EmbeddedChannel requestEncoder = new EmbeddedChannel(new RequestEncoder(true));

    RawClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawClient connect(int port) throws IOException {
        return new RawClient(new Socket("127.0.0.1", port));
    }

    void send(HandshakeFrame f) throws IOException {
        ByteBuf b = Unpooled.buffer();
        try {
            HandshakeEncoder.encodeTo(f, b);
            writeAll(b);
        } finally {
            b.release();
        }
    }

    /** The next handshake frame, or null when the peer closed the connection. */
    HandshakeFrame receive() throws IOException {
        while (true) {
            HandshakeFrame f = handshakeDecoder.readInbound();
            if (f != null) return f;
            if (!pump(handshakeDecoder)) return null;
        }
    }

    /** Runs the whole client handshake; returns the WELCOME's info or throws the server's ERROR. */
    ExportInfo login(String export, String identity, byte[] key) throws IOException {
        byte[] nonce = AuthProof.nonce();
        send(new Hello(export, 1, 0, 1 << 20, 0, "raw", identity, nonce).toFrame());
        HandshakeFrame f = receive();
        if (f == null) throw new IOException("closed after HELLO");
        if (f.type() == HandshakeFrame.CHALLENGE) {
            byte[] ns = f.bytes(Tlv.NONCE).orElseThrow();
            send(HandshakeFrame.builder(HandshakeFrame.AUTH).bytes(Tlv.PROOF, AuthProof.client(key, nonce, ns, identity, export)).build());
            f = receive();
            if (f == null) throw new IOException("closed after AUTH");
        }
        ExportInfo info = ExportInfo.fromWelcome(f);
        replyDecoder = new EmbeddedChannel(new ReplyDecoder(info.maxRequest(), true));
        return info;
    }

    void send(Request r) throws IOException {
        requestEncoder.writeOutbound(r);
        for (ByteBuf b; (b = requestEncoder.readOutbound()) != null; ) {
            try {
                writeAll(b);
            } finally {
                b.release();
            }
        }
    }

    /** The next reply (the caller releases it), or null when the peer closed the connection. */
    Reply receiveReply() throws IOException {
        while (true) {
            Reply r = replyDecoder.readInbound();
            if (r != null) return r;
            if (!pump(replyDecoder)) return null;
        }
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** True when the peer closed the connection within the socket timeout. */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private boolean pump(EmbeddedChannel decoder) throws IOException {
        byte[] buf = new byte[65536];
        int n;
        try {
            n = in.read(buf);
        } catch (IOException e) {
            if (e instanceof SocketTimeoutException) throw e;
            return false;
        }
        if (n < 0) return false;
        decoder.writeInbound(Unpooled.wrappedBuffer(buf, 0, n));
        return true;
    }

    private void writeAll(ByteBuf b) throws IOException {
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        handshakeDecoder.finishAndReleaseAll();
        requestEncoder.finishAndReleaseAll();
        if (replyDecoder != null) replyDecoder.finishAndReleaseAll();
    }
}
