package dst.client.net;

/** A data codec's message to the session: the server says the export grew to {@code size} bytes (online resize). */
public record SizeChanged(long size) {
}
