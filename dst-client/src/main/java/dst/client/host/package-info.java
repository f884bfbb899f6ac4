/** The host system as dst-client needs it: running its tools ({@code losetup}, {@code umount}) and reading who uses a device. */
package dst.client.host;
