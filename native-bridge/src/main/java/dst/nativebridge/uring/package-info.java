/**
 * A minimal io_uring: enough to send {@code IORING_OP_URING_CMD} commands (ublk) and reads, with no
 * liburing. The struct mirrors ({@link dst.nativebridge.uring.IoUringParams}, {@link dst.nativebridge.uring.IoUringSqe},
 * {@link dst.nativebridge.uring.IoUringCqe}) are named as in {@code linux/io_uring.h} and checked against it by a test.
 *
 * <p>Threading: a ring belongs to one thread (the one that submits and reaps); ublk even requires it.
 * Memory ordering with the kernel follows liburing: the kernel-written tails are read with acquire
 * semantics, our tail (SQ) and head (CQ) are published with release semantics.
 */
package dst.nativebridge.uring;
