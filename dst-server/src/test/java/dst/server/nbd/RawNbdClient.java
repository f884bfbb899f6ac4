package dst.server.nbd;

import dst.protocol.nbd.Nbd;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A test client that speaks raw NBD bytes over a blocking socket, one field at a time as the spec writes them,
 * so tests can send exactly what a stock client sends, and what no stock client would (edge cases, garbage).
 * Independent of the server's codecs on purpose: it is the second reading of the spec.
 */
final class RawNbdClient implements Closeable {
    record OptionReply(int option, int type, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** A simple reply, or one structured/extended chunk. */
    record Chunk(int magic, int flags, int type, long cookie, long offset, byte[] payload, int error) {
        boolean done() {
            return magic == Nbd.SIMPLE_REPLY_MAGIC || (flags & Nbd.REPLY_FLAG_DONE) != 0;
        }

        int errorValue() {
            return magic == Nbd.SIMPLE_REPLY_MAGIC ? error : java.nio.ByteBuffer.wrap(payload).getInt();
        }
    }

    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    int handshakeFlags;
    boolean extended;

    RawNbdClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        streams();
    }

    private void streams() throws IOException {
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
    }

    /** Reads the greeting and sends the client flags. */
    RawNbdClient greet(int clientFlags) throws IOException {
        assertEquals(Nbd.NBDMAGIC, in.readLong(), "NBDMAGIC");
        assertEquals(Nbd.IHAVEOPT, in.readLong(), "IHAVEOPT");
        handshakeFlags = in.readUnsignedShort();
        out.writeInt(clientFlags);
        out.flush();
        return this;
    }

    RawNbdClient greet() throws IOException {
        return greet(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES);
    }

    void option(int option, byte[] data) throws IOException {
        out.writeLong(Nbd.IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    OptionReply reply() throws IOException {
        assertEquals(Nbd.OPTION_REPLY_MAGIC, in.readLong(), "option reply magic");
        int option = in.readInt();
        int type = in.readInt();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new OptionReply(option, type, data);
    }

    /** Replies until (and with) the first that is not REP_INFO / REP_SERVER / REP_META_CONTEXT. */
    List<OptionReply> replies() throws IOException {
        List<OptionReply> all = new ArrayList<>();
        OptionReply r;
        do {
            r = reply();
            all.add(r);
        } while (r.type() == Nbd.REP_INFO || r.type() == Nbd.REP_SERVER || r.type() == Nbd.REP_META_CONTEXT);
        return all;
    }

    /** NBD_OPT_GO/INFO data: name, then the information requests. */
    static byte[] infoRequest(String name, int... infos) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + n.length + 2 + 2 * infos.length);
        b.putInt(n.length).put(n).putShort((short) infos.length);
        for (int i : infos) b.putShort((short) i);
        return b.array();
    }

    /** NBD_OPT_{LIST,SET}_META_CONTEXT data. */
    static byte[] metaRequest(String name, String... queries) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        try {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            d.writeInt(n.length);
            d.write(n);
            d.writeInt(queries.length);
            for (String q : queries) {
                byte[] qb = q.getBytes(StandardCharsets.UTF_8);
                d.writeInt(qb.length);
                d.write(qb);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return b.toByteArray();
    }

    /** NBD_OPT_GO; returns the export size and transmission flags from NBD_INFO_EXPORT. Fails unless ACKed. */
    long[] go(String name) throws IOException {
        option(Nbd.OPT_GO, infoRequest(name, Nbd.INFO_BLOCK_SIZE));
        long[] info = null;
        for (OptionReply r : replies()) {
            if (r.type() == Nbd.REP_INFO && r.data().length == 12 && r.data()[1] == Nbd.INFO_EXPORT) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.data());
                b.getShort();
                info = new long[]{b.getLong(), b.getShort() & 0xffff};
            } else if (r.type() != Nbd.REP_INFO) {
                assertEquals(Nbd.REP_ACK, r.type(), () -> "GO answered " + Integer.toHexString(r.type()) + ": " + r.text());
            }
        }
        return info;
    }

    /** Sends NBD_OPT_STARTTLS, expects the ACK and runs the TLS handshake trusting {@code serverCert}. */
    void startTls(Path serverCert) throws Exception {
        startTls(serverCert, null, null);
    }

    /** STARTTLS, presenting a client certificate ({@code clientCert}, PKCS#8 {@code clientKey}) unless null. */
    void startTls(Path serverCert, Path clientCert, Path clientKey) throws Exception {
        option(Nbd.OPT_STARTTLS, new byte[0]);
        OptionReply r = reply();
        assertEquals(Nbd.REP_ACK, r.type(), () -> "STARTTLS answered " + Integer.toHexString(r.type()) + ": " + r.text());
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream cert = Files.newInputStream(serverCert)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(cert));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.KeyManager[] keys = null;
        if (clientCert != null) {
            String pem = Files.readString(clientKey).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            java.security.PrivateKey key = java.security.KeyFactory.getInstance("EC")
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(pem)));
            java.security.cert.Certificate cert;
            try (InputStream certIn = Files.newInputStream(clientCert)) {
                cert = CertificateFactory.getInstance("X.509").generateCertificate(certIn);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key, new char[0], new java.security.cert.Certificate[]{cert});
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            keys = kmf.getKeyManagers();
        }
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(keys, tmf.getTrustManagers(), null);
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        socket = ssl;
        streams();
    }

    /** One request header (compact, or extended after NBD_OPT_EXTENDED_HEADERS), then {@code data}. */
    void request(int flags, int type, long cookie, long offset, long length, byte[] data) throws IOException {
        out.writeInt(extended ? Nbd.EXTENDED_REQUEST_MAGIC : Nbd.REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        if (extended) out.writeLong(length);
        else out.writeInt((int) length);
        if (data != null) out.write(data);
        out.flush();
    }

    void write(long cookie, long offset, byte[] data) throws IOException {
        request(extended ? Nbd.CMD_FLAG_PAYLOAD_LEN : 0, Nbd.CMD_WRITE, cookie, offset, data.length, data);
    }

    /** A simple reply's header; a successful READ's data ({@code readLength} bytes) is read too. */
    Chunk simple(int readLength) throws IOException {
        assertEquals(Nbd.SIMPLE_REPLY_MAGIC, in.readInt(), "simple reply magic");
        int error = in.readInt();
        long cookie = in.readLong();
        byte[] data = new byte[error == 0 ? readLength : 0];
        in.readFully(data);
        return new Chunk(Nbd.SIMPLE_REPLY_MAGIC, 0, 0, cookie, 0, data, error);
    }

    /** The next reply message: a simple reply without data, a structured chunk or an extended chunk. */
    Chunk chunk() throws IOException {
        int magic = in.readInt();
        if (magic == Nbd.SIMPLE_REPLY_MAGIC) {
            int error = in.readInt();
            return new Chunk(magic, 0, 0, in.readLong(), 0, new byte[0], error);
        }
        int flags = in.readUnsignedShort();
        int type = in.readUnsignedShort();
        long cookie = in.readLong();
        long offset = 0;
        long length;
        if (magic == Nbd.EXTENDED_REPLY_MAGIC) {
            offset = in.readLong();
            length = in.readLong();
        } else {
            assertEquals(Nbd.STRUCTURED_REPLY_MAGIC, magic, () -> "reply magic 0x" + Integer.toHexString(magic));
            length = in.readInt() & 0xffffffffL;
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Chunk(magic, flags, type, cookie, offset, payload, 0);
    }

    /** All chunks of one reply (the next reply on the wire; the test sends one request at a time). */
    List<Chunk> chunks() throws IOException {
        List<Chunk> all = new ArrayList<>();
        Chunk c;
        do {
            c = chunk();
            all.add(c);
        } while (!c.done());
        return all;
    }

    /** Whether the server closed the connection (EOF or reset) within the socket timeout. */
    boolean closedByServer() {
        try {
            while (in.read() >= 0) {
                // drain what was sent before the close
            }
            return true;
        } catch (EOFException | java.net.SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Raw bytes (the answer to NBD_OPT_EXPORT_NAME is not an option reply). */
    byte[] readBytes(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    DataOutputStream out() {
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
