package dst.nativebridge;

/** Kernel settings of the calling thread. */
public final class CurrentThread {
    private CurrentThread() {
    }

    /**
     * {@code prctl(PR_SET_IO_FLUSHER, 1)}: marks the calling thread as part of the block I/O path, as libublk does for
     * its queue threads. Without it, a thread serving a block device can be throttled or sent into memory reclaim that
     * waits for writeback of that same device: a deadlock under memory pressure. The kernel then allocates for it
     * without starting I/O (PF_MEMALLOC_NOIO) and exempts it from dirty throttling (PF_LOCAL_THROTTLE).
     *
     * @throws NativeException when the kernel refuses (EPERM without CAP_SYS_RESOURCE; EINVAL before Linux 5.6)
     */
    public static void setIoFlusher() throws NativeException {
        NativeException.check("prctl(PR_SET_IO_FLUSHER)", LibC.INSTANCE.prctl(LibC.PR_SET_IO_FLUSHER, 1, 0, 0, 0));
    }
}
