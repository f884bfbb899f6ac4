/**
 * The only place dst makes native calls (jnr-ffi): {@link dst.nativebridge.LibC} declares the libc functions, and
 * small Java types wrap what the rest of dst needs (mapped memory, {@code fallocate}, thread settings); no raw file
 * descriptor or pointer leaves this module. Failures are {@link dst.nativebridge.NativeException}s with the errno.
 *
 * <p>Threading: the types here are not thread-safe unless they say so; a {@link dst.nativebridge.Mapping} must be
 * closed only after every user of its buffer is done. {@link dst.nativebridge.CurrentThread} acts on the calling
 * thread. Buffers handed to the kernel (mapped memory, direct buffers) must stay alive while the kernel uses them.
 */
package dst.nativebridge;
