/**
 * What exports are stored on: the {@link dst.server.backend.Backend} interface (nbdkit's plugin API in Java) with
 * file, block device and memory implementations, and filters on top of {@link dst.server.backend.ForwardingBackend}
 * that add one behaviour each ({@link dst.server.backend.DelayFilter}).
 *
 * <p>Threading: calls block and come from several I/O threads at once, so backends are thread-safe; a backend
 * that answers {@code neverBlocks()} true is called on event loops instead and must never block (a filter that
 * may block says false); {@code readNow} is tried on event loops too, and only reads what needs no waiting.
 *
 * <p>Buffer ownership: the caller owns the buffers it passes: {@code read} writes into {@code dst} and
 * {@code write} reads {@code src}; neither keeps nor releases them.
 */
package dst.server.backend;
