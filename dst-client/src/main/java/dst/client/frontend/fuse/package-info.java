/**
 * The FUSE + loop frontend: one FUSE file per export, served straight from {@code /dev/fuse}
 * ({@code FuseSession} reads requests, {@code ExportFile} answers them, {@code FuseReplier} writes the replies;
 * struct layouts in {@code FuseKernelAbi}), under a loop device with direct I/O ({@code LoopDevice}).
 *
 * <p>Threading: a few reader threads take requests from the kernel; data requests are answered by whichever
 * thread completes the BlockDevice future, so many are in flight at once. Start/stop run on the caller's thread.
 */
package dst.client.frontend.fuse;
