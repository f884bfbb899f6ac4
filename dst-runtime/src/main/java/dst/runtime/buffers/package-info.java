/**
 * The one buffer allocator of every dst process ({@link dst.runtime.buffers.Buffers#ALLOCATOR}): channels, backends,
 * frontends and caches take their direct buffers from it, so its sizing is decided once, here.
 */
package dst.runtime.buffers;
