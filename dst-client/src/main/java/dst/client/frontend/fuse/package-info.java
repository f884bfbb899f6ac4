/**
 * The FUSE + loop frontend: one FUSE file per export ({@code ExportFileSystem}), mounted on a thread that runs
 * libfuse's loop ({@code FuseMount}), under a loop device with direct I/O ({@code LoopDevice}).
 *
 * <p>Threading: libfuse calls in on its loop thread ({@code -s}) and each callback waits for its BlockDevice
 * future; start/stop run on the caller's thread. Buffers: see {@code ExportFileSystem}.
 */
package dst.client.frontend.fuse;
