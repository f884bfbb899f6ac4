package dst.client.net;

import dst.client.core.BlockDevice;
import dst.client.core.ClientConfig;
import dst.client.core.DeviceStats;
import dst.client.core.Extent;
import dst.client.core.Protocol;
import dst.client.net.dst.DstProtocol;
import dst.client.net.nbd.NbdProtocol;
import dst.protocol.Features;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Opcode;
import dst.runtime.buffers.Buffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A remote export as a {@link BlockDevice}: checks ranges and permissions, splits requests into
 * pieces the export accepts, and hands them to its {@link ClientSession}, which keeps them as
 * transactions across reconnects until the server answers.
 */
public final class RemoteDisk implements BlockDevice {
    private static final long CONTROL_COST = 256;          // budget charged for requests without data
    private static final long MAX_RANGE_CHUNK = 1L << 30;  // TRIM / WRITE_ZEROES pieces (u32 on the wire)

    /** Connections when an NBD server advertises CAN_MULTI_CONN and the user did not say. */
    public static final int DEFAULT_MULTI_CONN = 4;

    private final List<ClientSession> sessions;
    private final ClientSession session; // the first: what was negotiated (the same for all, checked on every reconnect)
    private final SessionGroup group;
    private final AtomicInteger turn = new AtomicInteger();

    private RemoteDisk(List<ClientSession> sessions, SessionGroup group) {
        this.sessions = List.copyOf(sessions);
        this.session = sessions.get(0);
        this.group = group;
    }

    /**
     * Connects and runs the handshake once; fails fast (no retries) with a DstException saying why:
     * ECONNREFUSED/ETIMEDOUT when the server cannot be reached, the server's errno when it refused.
     * Once connected, the disk reconnects by itself for as long as it is open.
     */
    public static RemoteDisk connect(ClientConfig config) throws DstException {
        WireProtocol protocol = config.protocol() == Protocol.NBD ? NbdProtocol.INSTANCE : DstProtocol.INSTANCE;
        SessionGroup group = new SessionGroup(config);
        List<ClientSession> sessions = new ArrayList<>();
        try {
            ClientSession first = new ClientSession(config, protocol, group, "");
            sessions.add(first);
            first.open();
            int n = connections(config, first);
            group.stats.connections(n);
            for (int i = 2; i <= n; i++) {
                ClientSession s = new ClientSession(config, protocol, group, " (connection " + i + "/" + n + ")");
                sessions.add(s);
                s.open();
            }
            return new RemoteDisk(sessions, group);
        } catch (DstException | RuntimeException e) {
            sessions.forEach(ClientSession::close);
            group.shutdown();
            throw e;
        }
    }

    /**
     * How many connections: {@code --connections}, or 4 when an NBD server advertises CAN_MULTI_CONN and 1 otherwise.
     * More than one only with CAN_MULTI_CONN: without it a FLUSH on one connection need not cover writes answered on
     * another (PROTOCOL.md §9). dst targets keep one connection: their resume and fencing are per session.
     */
    private static int connections(ClientConfig config, ClientSession first) throws DstException {
        int n = config.connections();
        if (config.protocol() != Protocol.NBD) {
            if (n > 1) throw new DstException(Errno.EINVAL, "--connections " + n + ": dst:// targets use one connection (multi-conn is for NBD targets)");
            return 1;
        }
        if (n == 0) return first.multiConn() ? DEFAULT_MULTI_CONN : 1;
        if (n > 1 && !first.multiConn()) {
            throw new DstException(Errno.EOPNOTSUPP, "--connections " + n + ": the NBD server " + config.target() + " does not advertise "
                    + "CAN_MULTI_CONN (a flush on one connection need not cover writes on another); use --connections 1");
        }
        return n;
    }

    /** The session for the next request: connections take turns, skipping those that are down while one is up. */
    private ClientSession next() {
        int n = sessions.size();
        if (n == 1) return session;
        int start = Math.floorMod(turn.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            ClientSession s = sessions.get((start + i) % n);
            if (s.isUp()) return s;
        }
        return sessions.get(start);
    }

    @Override
    public ExportInfo info() {
        return session.info();
    }

    @Override
    public DeviceStats stats() {
        return session.stats();
    }

    @Override
    public void onResize(java.util.function.LongConsumer listener) {
        session.onResize(listener);
    }

    public ClientConfig config() {
        return session.config();
    }

    /** What the server offered beyond {@link #info()} when its protocol says more (NBD: flags, reply style, block sizes), else null. */
    public String offered() {
        return session.offered();
    }

    /** Number of transactions not yet answered (for status views and tests). */
    public int pending() {
        int sum = 0;
        for (ClientSession s : sessions) sum += Math.max(0, s.pending());
        return sum;
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        DstException bad = refusal(Opcode.READ, offset, length);
        if (bad != null) return CompletableFuture.failedFuture(bad);
        if (length == 0) return CompletableFuture.completedFuture(Unpooled.EMPTY_BUFFER);
        int max = session.info().maxRequest();
        if (length <= max) return next().submit(Op.READ, false, offset, length, null, length);
        List<CompletableFuture<ByteBuf>> parts = new ArrayList<>();
        for (int done = 0; done < length; done += max) {
            int n = Math.min(max, length - done);
            parts.add(next().submit(Op.READ, false, offset + done, n, null, n));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).handle((v, err) -> {
            if (err != null) {
                parts.forEach(p -> p.thenAccept(ByteBuf::release));
                throw new java.util.concurrent.CompletionException(err);
            }
            CompositeByteBuf all = Buffers.ALLOCATOR.compositeBuffer(parts.size());
            for (CompletableFuture<ByteBuf> p : parts) all.addComponent(true, p.join());
            return all;
        });
    }

    /**
     * The export's range rule, and the server's alignment (an NBD minimum block size): an unaligned request is
     * refused here, clearly, rather than by the server with a bare EINVAL.
     */
    private DstException refusal(int opcode, long offset, long length) {
        DstException bad = session.info().refusal(opcode, offset, length);
        int align = session.alignment();
        if (bad == null && align > 1 && opcode != Opcode.FLUSH && (offset % align != 0 || length % align != 0)) {
            bad = new DstException(Errno.EINVAL, Opcode.name(opcode) + " " + offset + "+" + length + " is not aligned to "
                    + align + " bytes, which the server requires (its minimum block size)");
        }
        return bad;
    }

    /**
     * NBD base:allocation: one BLOCK_STATUS for at most {@code MAX_RANGE_CHUNK} bytes; the server may answer for less.
     * Without it (dst, or an NBD server that did not agree to base:allocation) the whole range is data.
     */
    @Override
    public CompletableFuture<List<Extent>> extents(long offset, long length) {
        DstException bad = session.info().refusal(Opcode.READ, offset, length);
        if (bad != null) return CompletableFuture.failedFuture(bad);
        int align = session.alignment();
        long n = Math.min(length, MAX_RANGE_CHUNK) / align * align;
        if (!session.blockStatus() || n == 0 || offset % align != 0) return BlockDevice.super.extents(offset, length);
        return next().submit(Op.BLOCK_STATUS, false, offset, (int) n, null, CONTROL_COST).thenApply(b -> {
            try {
                return parseExtents(b, offset, n);
            } finally {
                b.release();
            }
        });
    }

    /** The answer of a BLOCK_STATUS (see {@link Op#BLOCK_STATUS}); an empty one says nothing: data. */
    private static List<Extent> parseExtents(ByteBuf b, long offset, long length) {
        List<Extent> out = new ArrayList<>();
        long at = offset;
        while (b.readableBytes() >= 12 && at < offset + length) {
            long n = Math.min(b.readLong(), offset + length - at);
            boolean zero = b.readInt() != 0;
            if (n <= 0) break;
            Extent last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.zero() == zero) out.set(out.size() - 1, new Extent(last.offset(), last.length() + n, zero));
            else out.add(new Extent(at, n, zero));
            at += n;
        }
        if (out.isEmpty()) out.add(new Extent(offset, length, false));
        return out;
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        DstException bad = refusal(Opcode.WRITE, offset, length);
        if (bad != null) {
            data.release();
            return CompletableFuture.failedFuture(bad);
        }
        if (fua && !session.info().has(Features.FUA)) {
            // The server cannot make one write durable (an NBD server without SEND_FUA): write, then flush.
            return write(offset, data, false).thenCompose(v -> flush());
        }
        int max = session.info().maxRequest();
        if (length <= max) return next().submit(Op.WRITE, fua, offset, length, data, Math.max(length, CONTROL_COST)).thenApply(b -> null);
        List<CompletableFuture<ByteBuf>> parts = new ArrayList<>();
        try {
            for (int done = 0; done < length; done += max) {
                int n = Math.min(max, length - done);
                parts.add(next().submit(Op.WRITE, fua, offset + done, n, data.retainedSlice(data.readerIndex() + done, n), n));
            }
        } finally {
            data.release();
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> flush() {
        if (!session.info().has(Features.FLUSH)) return CompletableFuture.completedFuture(null); // no volatile cache to flush
        return next().submit(Op.FLUSH, false, 0, 0, null, CONTROL_COST).thenApply(b -> null);
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length) {
        return ranged(Op.TRIM, offset, length);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length) {
        return ranged(Op.WRITE_ZEROES, offset, length);
    }

    private CompletableFuture<Void> ranged(Op op, long offset, long length) {
        DstException bad = refusal(op == Op.TRIM ? Opcode.TRIM : Opcode.WRITE_ZEROES, offset, length);
        if (bad != null) return CompletableFuture.failedFuture(bad);
        if (op == Op.TRIM && !session.info().has(Features.TRIM)) return CompletableFuture.completedFuture(null); // a hint
        if (op == Op.WRITE_ZEROES && !session.info().has(Features.WRITE_ZEROES)) return writeZeroBuffers(offset, length);
        List<CompletableFuture<ByteBuf>> parts = new ArrayList<>();
        for (long done = 0; done < length; done += MAX_RANGE_CHUNK) {
            long n = Math.min(MAX_RANGE_CHUNK, length - done);
            parts.add(next().submit(op, false, offset + done, (int) n, null, CONTROL_COST));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }


    /** WRITE_ZEROES for a server without it: zeros sent as data, a request at a time. */
    private CompletableFuture<Void> writeZeroBuffers(long offset, long length) {
        int max = session.info().maxRequest();
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (long done = 0; done < length; done += max) {
            int n = (int) Math.min(max, length - done);
            ByteBuf zeros = Buffers.ALLOCATOR.buffer(n, n);
            zeros.writeZero(n);
            parts.add(write(offset + done, zeros, false));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        sessions.forEach(ClientSession::close);
        group.shutdown();
    }
}
