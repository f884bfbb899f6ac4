/**
 * The holder of a FUSE device: a tiny process per FUSE device ({@code HolderMain}, 16 MiB heap, no network, no
 * data path) that keeps a copy of the serving daemon's {@code /dev/fuse} descriptor, so that the connection, the
 * mount and the loop device on it outlive the daemon: requests wait in the kernel until the next daemon copies the
 * descriptor from the holder and asks for them again (FUSE_NOTIFY_RESEND). {@code Holder} starts, finds and stops it.
 */
package dst.client.frontend.fuse.holder;
