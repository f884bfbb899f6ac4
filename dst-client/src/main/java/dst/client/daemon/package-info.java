/**
 * The life of an attached device: the serving process ({@link dst.client.daemon.DeviceDaemon}), its start in
 * the background ({@link dst.client.daemon.Daemonizer}), and the records under the run directory
 * ({@link dst.client.daemon.RunDir}, {@link dst.client.daemon.DeviceRecord}) through which list, status and
 * detach, running in other processes, see it. Records are written only by the serving process.
 */
package dst.client.daemon;
