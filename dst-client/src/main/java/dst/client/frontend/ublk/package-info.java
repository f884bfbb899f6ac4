/**
 * The ublk frontend: the kernel's {@code /dev/ublkbN} served by this process through io_uring.
 *
 * <pre>
 *  UblkFrontend ── start/stop ──► UblkControl (ADD_DEV, SET_PARAMS, START_DEV, STOP_DEV, DEL_DEV)
 *       │
 *       └── one thread per hardware queue ──► UblkQueue ── fetch/commit ──► kernel
 *                                                 │  ▲
 *                                   UblkRequests  ▼  │ completions (any thread) + eventfd wakeup
 *                                              BlockDevice (network)
 * </pre>
 *
 * <p>Threading: the kernel binds each queue to the thread that fetched its tags, so every io
 * command of a queue is issued by its {@link dst.client.frontend.ublk.UblkQueue} thread; request
 * completions arrive on the client library's threads and are handed to the queue thread through
 * {@link dst.client.frontend.ublk.FinishedTags} (a lock-free stack of tag numbers: nothing allocated per request)
 * plus an eventfd wakeup. Queue threads mark themselves PR_SET_IO_FLUSHER (see
 * {@link dst.nativebridge.CurrentThread#setIoFlusher()}), so memory reclaim never makes them wait on their own device. Buffers: one per tag, in memory mapped once per queue, which the
 * kernel fills (writes) or reads (reads); write data is copied out of it because the client library
 * owns what it is given beyond the request's completion (write-back cache); reads are copied in from the reply.
 */
package dst.client.frontend.ublk;
