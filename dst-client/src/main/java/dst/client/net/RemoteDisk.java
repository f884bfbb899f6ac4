package dst.client.net;

import dst.client.core.BlockDevice;
import dst.client.core.ClientConfig;
import dst.client.core.DeviceStats;
import dst.client.core.Protocol;
import dst.client.net.dst.DstProtocol;
import dst.client.net.nbd.NbdProtocol;
import dst.protocol.Features;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.ExportInfo;
import dst.protocol.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A remote export as a {@link BlockDevice}: checks ranges and permissions, splits requests into
 * pieces the export accepts, and hands them to its {@link ClientSession}, which keeps them as
 * transactions across reconnects until the server answers.
 */
public final class RemoteDisk implements BlockDevice {
    private static final long CONTROL_COST = 256;          // budget charged for requests without data
    private static final long MAX_RANGE_CHUNK = 1L << 30;  // TRIM / WRITE_ZEROES pieces (u32 on the wire)

    private final ClientSession session;

    private RemoteDisk(ClientSession session) {
        this.session = session;
    }

    /**
     * Connects and runs the handshake once; fails fast (no retries) with a DstException saying why:
     * ECONNREFUSED/ETIMEDOUT when the server cannot be reached, the server's errno when it refused.
     * Once connected, the disk reconnects by itself for as long as it is open.
     */
    public static RemoteDisk connect(ClientConfig config) throws DstException {
        ClientSession session = new ClientSession(config, config.protocol() == Protocol.NBD ? NbdProtocol.INSTANCE : DstProtocol.INSTANCE);
        session.open();
        return new RemoteDisk(session);
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
        return session.pending();
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        DstException bad = session.info().refusal(Opcode.READ, offset, length);
        if (bad != null) return CompletableFuture.failedFuture(bad);
        if (length == 0) return CompletableFuture.completedFuture(Unpooled.EMPTY_BUFFER);
        int max = session.info().maxRequest();
        if (length <= max) return session.submit(Op.READ, false, offset, length, null, length);
        List<CompletableFuture<ByteBuf>> parts = new ArrayList<>();
        for (int done = 0; done < length; done += max) {
            int n = Math.min(max, length - done);
            parts.add(session.submit(Op.READ, false, offset + done, n, null, n));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).handle((v, err) -> {
            if (err != null) {
                parts.forEach(p -> p.thenAccept(ByteBuf::release));
                throw new java.util.concurrent.CompletionException(err);
            }
            CompositeByteBuf all = ByteBufAllocator.DEFAULT.compositeBuffer(parts.size());
            for (CompletableFuture<ByteBuf> p : parts) all.addComponent(true, p.join());
            return all;
        });
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        DstException bad = session.info().refusal(Opcode.WRITE, offset, length);
        if (bad != null) {
            data.release();
            return CompletableFuture.failedFuture(bad);
        }
        if (fua && !session.info().has(Features.FUA)) {
            // The server cannot make one write durable (an NBD server without SEND_FUA): write, then flush.
            return write(offset, data, false).thenCompose(v -> flush());
        }
        int max = session.info().maxRequest();
        if (length <= max) return session.submit(Op.WRITE, fua, offset, length, data, Math.max(length, CONTROL_COST)).thenApply(b -> null);
        List<CompletableFuture<ByteBuf>> parts = new ArrayList<>();
        try {
            for (int done = 0; done < length; done += max) {
                int n = Math.min(max, length - done);
                parts.add(session.submit(Op.WRITE, fua, offset + done, n, data.retainedSlice(data.readerIndex() + done, n), n));
            }
        } finally {
            data.release();
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> flush() {
        if (!session.info().has(Features.FLUSH)) return CompletableFuture.completedFuture(null); // no volatile cache to flush
        return session.submit(Op.FLUSH, false, 0, 0, null, CONTROL_COST).thenApply(b -> null);
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
        DstException bad = session.info().refusal(op == Op.TRIM ? Opcode.TRIM : Opcode.WRITE_ZEROES, offset, length);
        if (bad != null) return CompletableFuture.failedFuture(bad);
        if (op == Op.TRIM && !session.info().has(Features.TRIM)) return CompletableFuture.completedFuture(null); // a hint
        if (op == Op.WRITE_ZEROES && !session.info().has(Features.WRITE_ZEROES)) return writeZeroBuffers(offset, length);
        List<CompletableFuture<ByteBuf>> parts = new ArrayList<>();
        for (long done = 0; done < length; done += MAX_RANGE_CHUNK) {
            long n = Math.min(MAX_RANGE_CHUNK, length - done);
            parts.add(session.submit(op, false, offset + done, (int) n, null, CONTROL_COST));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }


    /** WRITE_ZEROES for a server without it: zeros sent as data, a request at a time. */
    private CompletableFuture<Void> writeZeroBuffers(long offset, long length) {
        int max = session.info().maxRequest();
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (long done = 0; done < length; done += max) {
            int n = (int) Math.min(max, length - done);
            ByteBuf zeros = ByteBufAllocator.DEFAULT.buffer(n, n);
            zeros.writeZero(n);
            parts.add(write(offset + done, zeros, false));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        session.close();
    }
}
