/**
 * Client-side filters on a BlockDevice, each one behaviour on {@link dst.client.core.ForwardingBlockDevice}:
 * {@link dst.client.cache.WriteBackCache} (a disk's volatile write cache: writes acknowledged from memory, durable
 * at the next completed flush) and {@link dst.client.cache.ReadAhead} (prefetch for one sequential reader, never
 * returning data older than a completed write). {@link dst.client.stack.DiskStack} puts them together.
 *
 * <p>Threading: any thread but the inner device's event loop; each filter guards its state with one lock and calls
 * the device below outside it.
 *
 * <p>Buffer ownership: the cache keeps a write's buffer (no copy) until the server acknowledged it and hands reads
 * fresh buffers with cached data overlaid; read-ahead releases a prefetched chunk once its last reader took its
 * slice, or when it is dropped, also if the data arrives later.
 */
package dst.client.cache;
