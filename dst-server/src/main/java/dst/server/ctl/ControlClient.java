package dst.server.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dst.runtime.cli.ExitCodes;
import dst.runtime.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The caller's side of the control socket: sends one request line, reads the one reply line. Blocking, any thread. */
public final class ControlClient {
    private final Path socket;

    public ControlClient(Path socket) {
        this.socket = socket;
    }

    /** A request for {@code command}, to add the command's arguments to. */
    public static ObjectNode request(String command) {
        return Json.object().put("command", command);
    }

    /**
     * Sends {@code request} and returns the reply's {@code result}.
     *
     * @throws ConnectException       nobody listens on the socket (exit 3)
     * @throws ExitCodes.Coded        the server refused or failed the command: its message and exit code
     */
    public JsonNode call(ObjectNode request) throws IOException {
        if (!Files.exists(socket)) {
            throw new ConnectException("no control socket at " + socket + ": is dst-server running (with --ctl-socket " + socket + ")?");
        }
        String line;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap((Json.line(request) + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) ch.write(out);
            line = readLine(ch);
        } catch (ConnectException e) {
            throw new ConnectException("cannot reach the control socket " + socket + ": " + e.getMessage());
        }
        if (line.isEmpty()) throw new IOException("the server closed the control connection without a reply (see its log)");
        JsonNode reply = Json.parse(line);
        if (!reply.path("ok").asBoolean(false)) {
            throw new ExitCodes.Coded(reply.path("error").asText("failed"), reply.path("exit").asInt(ExitCodes.FAILURE));
        }
        return reply.path("result");
    }

    private static String readLine(SocketChannel ch) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (ch.read(buf) > 0) {
            buf.flip();
            while (buf.hasRemaining()) {
                byte b = buf.get();
                if (b == '\n') return got.toString(StandardCharsets.UTF_8);
                got.write(b);
            }
            buf.clear();
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
