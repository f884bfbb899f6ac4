package dst.client.net.dst;

import dst.client.core.Credentials;
import dst.client.net.ClientTls;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.Failures;
import dst.protocol.ExportInfo;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.protocol.Tlv;
import dst.protocol.auth.AuthProof;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import java.util.concurrent.CompletableFuture;

/**
 * The client's side of the handshake: sends HELLO when connected; with credentials, answers the
 * server's CHALLENGE with AUTH and then insists on a WELCOME whose proof shows that the server knows
 * the key too (a server that skips the challenge, or proves wrong, is refused: it may be an
 * impostor). Completes {@code result} with the WELCOME's {@link ExportInfo}, or with the server's
 * ERROR as a {@link DstException}. Each instance serves one connection with a fresh nonce.
 */
final class ClientHandshakeHandler extends SimpleChannelInboundHandler<HandshakeFrame> {
    private final Hello hello;
    private final byte[] key;
    private final CompletableFuture<ExportInfo> result;
    private byte[] serverNonce;

    /** {@code hello} carries a fresh nonce when {@code credentials} are not anonymous. */
    ClientHandshakeHandler(Hello hello, Credentials credentials, CompletableFuture<ExportInfo> result) {
        this.hello = hello;
        this.key = credentials.key();
        this.result = result;
    }

    /** A HELLO for {@code credentials}: anonymous, or with identity and a fresh nonce. */
    static Hello hello(String export, int features, int maxRequest, long sessionId, String software, Credentials credentials) {
        return credentials.anonymous()
                ? new Hello(export, features, 0, maxRequest, sessionId, software)
                : new Hello(export, features, 0, maxRequest, sessionId, software, credentials.identity(), AuthProof.nonce());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(hello.toFrame());
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HandshakeFrame frame) {
        try {
            if (frame.type() == HandshakeFrame.CHALLENGE) {
                answer(ctx, frame);
                return;
            }
            ExportInfo info = ExportInfo.fromWelcome(frame);
            if (key != null) verifyServer(frame);
            result.complete(info);
        } catch (DstException e) {
            result.completeExceptionally(e);
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, HandshakeFrame challenge) throws DstException {
        if (key == null) throw new DstException(Errno.EACCES, "server demands authentication: give --identity and --key-file (or DST_KEY)");
        if (serverNonce != null) throw new DstException(Errno.EPROTO, "server sent a second CHALLENGE");
        byte[] nonce = challenge.bytes(Tlv.NONCE).orElse(new byte[0]);
        if (nonce.length != AuthProof.NONCE_LENGTH) throw new DstException(Errno.EPROTO, "CHALLENGE without a valid nonce");
        serverNonce = nonce;
        byte[] proof = AuthProof.client(key, hello.nonce(), serverNonce, hello.identity(), hello.exportName());
        ctx.writeAndFlush(HandshakeFrame.builder(HandshakeFrame.AUTH).bytes(Tlv.PROOF, proof).build());
    }

    private void verifyServer(HandshakeFrame welcome) throws DstException {
        if (serverNonce == null) {
            throw new DstException(Errno.EACCES, "server welcomed us without challenging our key: it cannot prove who it is, refusing it");
        }
        byte[] expected = AuthProof.server(key, hello.nonce(), serverNonce, hello.identity(), hello.exportName());
        if (!AuthProof.matches(expected, welcome.bytes(Tlv.PROOF).orElse(null))) {
            throw new DstException(Errno.EACCES, "server failed to prove it knows our key: refusing it (impostor, or a different key on the server)");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) result.completeExceptionally(ClientTls.failure(tls));
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        result.completeExceptionally(new DstException(Errno.ECONNRESET, "server closed the connection during the handshake (a TLS server needs --tls)"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = Failures.unwrap(cause);
        result.completeExceptionally(new DstException(Errno.EPROTO, "handshake failed: " + root.getMessage(), root));
        ctx.close();
    }
}
