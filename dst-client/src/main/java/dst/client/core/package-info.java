/**
 * The client API every frontend and command is written against ({@link dst.client.core.BlockDevice}), how a
 * client connects ({@link dst.client.core.ClientConfig}, credentials, TLS trust), the device counters, and
 * {@link dst.client.core.ByteBudget}, the bound on bytes of requests held that both the session and the
 * write-back cache apply.
 *
 * <p>Threading: configuration types are immutable values; {@code DeviceStats} and {@code ByteBudget} are
 * thread-safe. Buffers: {@code BlockDevice} takes ownership of write data and hands the caller ownership of
 * read data (see its methods).
 */
package dst.client.core;
