package dst.it.harness;

import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Features;
import dst.protocol.HandshakeDecoder;
import dst.protocol.HandshakeEncoder;
import dst.protocol.HandshakeFrame;
import dst.protocol.Hello;
import dst.protocol.Opcode;
import dst.protocol.Reply;
import dst.protocol.ReplyDecoder;
import dst.protocol.Request;
import dst.protocol.RequestEncoder;
import dst.protocol.Tlv;
import dst.protocol.auth.AuthProof;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A deliberately simple, blocking dst peer for tests: one plain socket, the dst-protocol encoders
 * and decoders run in {@link EmbeddedChannel}s, and full control over the bytes, so a test can send
 * exactly the (malformed) frame it wants and see exactly what comes back. Independent of the client
 * library on purpose. It plays a (misbehaving) client, or over an accepted socket ({@link #over}) a fake
 * server or a man in the middle. Not thread-safe.
 *
 * <p>Ownership: a {@link Reply} returned to the caller is the caller's to release.
 */
public final class RawConnection implements AutoCloseable {
    /** How long a read waits for the server before the test fails. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Decodes what the server sends: handshake frames first, replies once WELCOME arrived. */
    private final EmbeddedChannel decoder = new EmbeddedChannel(new HandshakeDecoder());
    private final byte[] readBuffer = new byte[256 * 1024];
    private ExportInfo info;
    private long nextTransactionId = 1;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static RawConnection connect(InetSocketAddress server) throws IOException {
        Socket s = new Socket();
        s.connect(server, 5000);
        return new RawConnection(s);
    }

    public static RawConnection connect(int port) throws IOException {
        return connect(new InetSocketAddress("127.0.0.1", port));
    }

    /** Speaks over a connected socket, e.g. one a fake server accepted. */
    public static RawConnection over(Socket socket) throws IOException {
        return new RawConnection(socket);
    }

    /** Connects and completes a normal handshake for {@code export} with every feature (crc32c on). */
    public static RawConnection open(int port, String export) throws IOException {
        RawConnection c = connect(port);
        try {
            c.handshake(export);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * A HELLO asking for every feature this build knows, crc32c included, as a SHARED writer: tests open several raw
     * connections (and library clients) on one export, one after another or at once, and the server refuses a second
     * writer next to an exclusive one (a HELLO without ATTACH is one). Exclusivity tests say so: {@code withAttach(0)}.
     */
    public static Hello hello(String export) {
        return new Hello(export, Features.KNOWN, 0, 1 << 20, 0, "dst-it RawConnection").withAttach(Tlv.AttachFlags.SHARED);
    }

    public ExportInfo handshake(String export) throws IOException {
        return handshake(hello(export));
    }

    /** Sends {@code hello}; returns what WELCOME granted, or throws the DstException an ERROR carried. */
    public ExportInfo handshake(Hello hello) throws IOException {
        send(hello.toFrame());
        ExportInfo granted = ExportInfo.fromWelcome(readHandshake());
        startDataPhase(granted);
        return granted;
    }

    /**
     * Runs the whole client handshake as {@code identity} with {@code key} (CHALLENGE answered with the proof);
     * returns what WELCOME granted, or throws the DstException an ERROR carried. Asks for crc32c.
     */
    public ExportInfo login(String export, String identity, byte[] key) throws IOException {
        byte[] nonce = AuthProof.nonce();
        send(new Hello(export, Features.CRC32C, 0, 1 << 20, 0, "dst-it RawConnection", identity, nonce)
                .withAttach(Tlv.AttachFlags.SHARED).toFrame());
        HandshakeFrame f = readHandshake();
        if (f.type() == HandshakeFrame.CHALLENGE) {
            byte[] serverNonce = f.bytes(Tlv.NONCE).orElseThrow();
            send(HandshakeFrame.builder(HandshakeFrame.AUTH).bytes(Tlv.PROOF, AuthProof.client(key, nonce, serverNonce, identity, export)).build());
            f = readHandshake();
        }
        ExportInfo granted = ExportInfo.fromWelcome(f);
        startDataPhase(granted);
        return granted;
    }

    /** Switches decoding to replies, with the crc setting and size limit the WELCOME granted. */
    public void startDataPhase(ExportInfo granted) {
        this.info = granted;
        decoder.pipeline().replace(HandshakeDecoder.class, "replies",
                new ReplyDecoder(granted.maxRequest(), granted.has(Features.CRC32C)));
    }

    /** What the WELCOME granted; null before the handshake. */
    public ExportInfo info() {
        return info;
    }

    public long nextTransactionId() {
        return nextTransactionId++;
    }

    // ---- sending ----

    public void send(HandshakeFrame frame) throws IOException {
        sendRaw(encode(frame));
    }

    /** The bytes {@code frame} is sent as (for a test that sends only part of them). */
    public static byte[] encode(HandshakeFrame frame) {
        ByteBuf b = Unpooled.buffer();
        try {
            HandshakeEncoder.encodeTo(frame, b);
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** Sends {@code r} encoded as the handshake negotiated; {@code r} is released. */
    public void send(Request r) throws IOException {
        sendRaw(encode(r));
    }

    /** The bytes {@code r} is sent as (crc32c as negotiated), for a test to corrupt; {@code r} is released. */
    public byte[] encode(Request r) {
        return encode(r, info == null || info.has(Features.CRC32C));
    }

    public static byte[] encode(Request r, boolean crc) {
        EmbeddedChannel enc = new EmbeddedChannel(new RequestEncoder(crc));
        enc.writeOutbound(r);
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf part; (part = enc.readOutbound()) != null; ) {
            all.writeBytes(part);
            part.release();
        }
        enc.finishAndReleaseAll();
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    // ---- receiving ----

    /** The next handshake frame from the peer. */
    public HandshakeFrame readHandshake() throws IOException {
        return (HandshakeFrame) readMessage();
    }

    /** The next handshake frame from the peer, or null when it closed the connection (end of stream or reset). */
    public HandshakeFrame receive() throws IOException {
        try {
            return readHandshake();
        } catch (EOFException | SocketException e) {
            return null;
        }
    }

    /** The next reply from the server; the caller releases it. */
    public Reply readReply() throws IOException {
        return (Reply) readMessage();
    }

    private Object readMessage() throws IOException {
        while (true) {
            Object m = decoder.readInbound();
            if (m != null) return m;
            int n = in.read(readBuffer);
            if (n < 0) throw new EOFException("server closed the connection");
            decoder.writeInbound(Unpooled.wrappedBuffer(readBuffer, 0, n).copy());
        }
    }

    /** Sends {@code r} and returns its reply (only one request outstanding); the caller releases the reply. */
    public Reply call(Request r) throws IOException {
        long id = r.transactionId();
        send(r);
        Reply reply = readReply();
        if (reply.transactionId() != id && reply.opcode() != Opcode.CONNECTION_ERROR) {
            reply.release();
            throw new IllegalStateException("reply for transaction " + reply.transactionId() + ", expected " + id);
        }
        return reply;
    }

    /** Writes {@code data} at {@code offset}; throws the reply's errno as a DstException. */
    public void write(long offset, byte[] data) throws IOException {
        check(call(new Request(Opcode.WRITE, 0, nextTransactionId(), offset, data.length, Unpooled.wrappedBuffer(data))));
    }

    public byte[] read(long offset, int length) throws IOException {
        Reply r = call(new Request(Opcode.READ, 0, nextTransactionId(), offset, length));
        try {
            if (!r.isOk()) throw new DstException(r.status(), r.message());
            return ByteBufUtil.getBytes(r.payload());
        } finally {
            r.release();
        }
    }

    public void flush() throws IOException {
        check(call(new Request(Opcode.FLUSH, 0, nextTransactionId(), 0, 0)));
    }

    /** The status of a request's reply (0 or an errno), releasing the reply. */
    public int status(Request r) throws IOException {
        Reply reply = call(r);
        try {
            return reply.status();
        } finally {
            reply.release();
        }
    }

    private static void check(Reply r) throws DstException {
        try {
            if (!r.isOk()) throw new DstException(r.status(), r.message());
        } finally {
            r.release();
        }
    }

    /**
     * Whether the server (the peer: for a {@link FakeServer}, the client) closes this connection within
     * {@code timeout}: reads (and discards) until end of stream or a reset. False when the connection is still
     * open at the deadline.
     */
    public boolean awaitClosedByServer(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
                try {
                    if (in.read(readBuffer) < 0) return true;
                } catch (SocketTimeoutException e) {
                    // keep waiting
                }
            }
            return false;
        } catch (SocketException e) {
            return true; // connection reset
        } finally {
            if (!socket.isClosed()) socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        }
    }

    /** Asserts-friendly text for an errno: {@code "EPERM (1)"}. */
    public static String errno(int code) {
        return Errno.name(code) + " (" + code + ")";
    }

    @Override
    public void close() throws IOException {
        decoder.finishAndReleaseAll();
        socket.close();
    }
}
