/**
 * {@code /dev/fuse} without libfuse: mount a FUSE file system on a descriptor of our own, read the kernel's
 * requests and write the replies ({@link dst.nativebridge.fuse.FuseDevice}). The protocol itself (opcodes,
 * struct layouts of {@code linux/fuse.h}) is the frontend's business, not this package's.
 */
package dst.nativebridge.fuse;
