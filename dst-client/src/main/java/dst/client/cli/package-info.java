/**
 * The {@code dst-client} program: one picocli command class per subcommand, shared options as mixins
 * ({@link dst.client.cli.ConnectionOptions}), exit codes mapped from exceptions in {@link dst.client.cli.ClientMain}
 * only. Commands open exports through {@link dst.client.stack.DiskStack} and run on the main thread; bench and
 * copy keep many requests in flight and release every buffer a read hands them.
 */
package dst.client.cli;
