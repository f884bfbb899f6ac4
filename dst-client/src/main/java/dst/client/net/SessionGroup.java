package dst.client.net;

import dst.client.core.ByteBudget;
import dst.client.core.ClientConfig;
import dst.client.core.DeviceStats;
import dst.client.transactions.DurabilityLedger;
import dst.client.transactions.WriteOrder;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the sessions of one device share, one session per connection (NBD multi-conn; a single session otherwise):
 * the event loop every session and connection runs on, transaction ids from one counter (so "older" means the
 * same on every connection), the {@link WriteOrder} that holds overlapping writes across connections, the
 * durability ledger (a FLUSH on one connection covers writes answered on all of them), the queue budget, the
 * completion thread and the counters.
 *
 * <p>Threading: {@link #order} and {@link #ledger} are confined to {@link #loop}; the rest is thread-safe.
 */
final class SessionGroup {
    final EventLoop loop;
    final AtomicLong nextId = new AtomicLong(1);
    final WriteOrder order = new WriteOrder();
    final DurabilityLedger ledger = new DurabilityLedger();
    final ByteBudget budget;
    final Completions completions = new Completions();
    final DeviceStats stats = new DeviceStats();
    private final EventLoopGroup group;

    SessionGroup(ClientConfig config) {
        this.group = new MultiThreadIoEventLoopGroup(1, config.transport().ioHandlerFactory());
        this.loop = group.next();
        this.budget = new ByteBudget(config.maxQueuedBytes());
    }

    /** Stops the shared parts, once every session has closed its connection (bounded wait). */
    void shutdown() {
        budget.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        completions.shutdown();
    }
}
