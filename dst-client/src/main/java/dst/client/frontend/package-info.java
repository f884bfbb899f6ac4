/**
 * Frontends: how a {@link dst.client.core.BlockDevice} becomes a kernel block device ({@link dst.client.frontend.Frontend}),
 * and the choice between them ({@link dst.client.frontend.Frontends}). A frontend never owns the BlockDevice.
 */
package dst.client.frontend;
