package dst.client.frontend.ublk;

/**
 * How a ublk device is created.
 *
 * @param queues      hardware queues, each served by its own thread
 * @param depth       requests in flight per queue (tags), 1..4096
 * @param bufferBytes largest request the kernel sends (max_io_buf_bytes); one buffer of this size per tag
 * @param recoverable create with UBLK_F_USER_RECOVERY(+REISSUE): if this process dies the device waits for a new server
 */
public record UblkOptions(int queues, int depth, int bufferBytes, boolean recoverable) {
    public static final UblkOptions DEFAULT = new UblkOptions(1, 64, 512 * 1024, true);

    public UblkOptions {
        if (queues < 1 || queues > 64) throw new IllegalArgumentException("queues must be 1..64, got " + queues);
        if (depth < 1 || depth > 4096) throw new IllegalArgumentException("queue depth must be 1..4096, got " + depth);
        if (bufferBytes < 4096 || bufferBytes % 4096 != 0 || bufferBytes > (32 << 20)) {
            throw new IllegalArgumentException("buffer size must be a multiple of 4096 up to 32 MiB, got " + bufferBytes);
        }
    }
}
