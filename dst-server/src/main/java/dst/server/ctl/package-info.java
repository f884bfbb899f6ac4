/**
 * The control socket ({@code dst-server ctl}): {@link dst.server.ctl.ControlSocket} listens on a Unix socket (mode
 * 0600, peers checked by SO_PEERCRED), {@code ControlInitializer} assembles the line pipeline, {@code ControlHandler}
 * answers one JSON request line with one JSON reply line ({@link dst.server.ctl.ControlReply}). Commands are
 * {@link dst.server.ctl.ControlCommand}s in a {@link dst.server.ctl.ControlCommands} registry: a new command is one
 * class plus one line in {@code standard}. {@link dst.server.ctl.ControlClient} is the caller's side.
 *
 * <p>Threading: the socket has its own one-thread event loop; commands run one at a time on its worker thread
 * ({@code dst-ctl}), never on the data path's threads, and may block briefly. They read the server's state through
 * thread-safe views ({@code DstServer.sessions()}, {@code Session} counters). Request and reply lines are Strings:
 * no buffers to release.
 */
package dst.server.ctl;
