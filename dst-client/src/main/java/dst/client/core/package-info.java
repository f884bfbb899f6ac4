/**
 * The client API every frontend and command is written against: {@link dst.client.core.BlockDevice}, an
 * asynchronous disk, the base of client-side filters ({@link dst.client.core.ForwardingBlockDevice}), how a
 * client connects ({@link dst.client.core.ClientConfig}, credentials, TLS trust), the device counters, and
 * {@link dst.client.core.ByteBudget}, the bound on bytes of requests held that both the session and the
 * write-back cache apply.
 *
 * <p>Threading: BlockDevice methods may be called from any thread but a Netty event loop (a submitter may wait
 * for queue space: backpressure); a RemoteDisk's futures complete on its completion thread (a filter may complete
 * one at once, on the caller's thread: a cached write), so callbacks may submit again.
 * {@code DeviceStats} and {@code ByteBudget} are thread-safe; configurations are immutable.
 *
 * <p>Buffer ownership: {@code write} takes ownership of its buffer (it may be kept past completion, e.g. by a
 * write-back cache); the buffer a {@code read} completes with belongs to the caller, who releases it.
 */
package dst.client.core;
