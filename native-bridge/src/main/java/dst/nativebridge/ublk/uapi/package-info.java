/**
 * Mirrors of the kernel's ublk UAPI, named as in {@code linux/ublk_cmd.h}: byte offsets as
 * constants, and flyweights over little-endian direct buffers for the structs dst fills or reads.
 * {@code UblkUapiLayoutTest} compiles a C program against the real header and compares every offset.
 * Fields newer than Debian 12's 6.1 header (GET_FEATURES, ioctl-encoded command numbers) are
 * defined by the test's C source as the kernel does.
 */
package dst.nativebridge.ublk.uapi;
