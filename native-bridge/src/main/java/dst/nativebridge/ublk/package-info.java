/**
 * ublk through io_uring, as small Java types: {@link dst.nativebridge.ublk.UblkControlDevice} sends
 * control commands to {@code /dev/ublk-control}; {@link dst.nativebridge.ublk.UblkCharDevice} is one
 * device's {@code /dev/ublkcN}; {@link dst.nativebridge.ublk.UblkQueueRing} is one hardware queue's
 * ring (FETCH_REQ, COMMIT_AND_FETCH_REQ) with its descriptor area. The policy (which device, which
 * parameters, what to do with a request) lives in dst-client's ublk frontend.
 *
 * <p>Threading: the control device is thread-safe (one command at a time); a queue ring belongs to
 * the thread that issued its first FETCH_REQ (the kernel binds the queue to that task), except
 * {@link dst.nativebridge.ublk.UblkQueueRing#wakeup()}, which any thread may call.
 */
package dst.nativebridge.ublk;
