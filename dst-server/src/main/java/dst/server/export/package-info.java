/**
 * Exports as the server serves them: parsed from {@code --export} ({@link dst.server.export.ExportSpec}), opened
 * onto a backend with the identity a reconnecting client checks ({@link dst.server.export.Export}), and who may use
 * them ({@link dst.server.export.ExportAccess}). Specs and access rules are immutable; an Export is shared by every
 * connection to it and is thread-safe as its backend is. It holds no message buffers.
 */
package dst.server.export;
