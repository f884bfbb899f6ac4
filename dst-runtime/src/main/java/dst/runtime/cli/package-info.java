/**
 * What both command-line programs share: exit codes mapped from exceptions in one place
 * ({@link dst.runtime.cli.ExitCodes}), sizes like {@code 4M} ({@link dst.runtime.cli.Sizes}), log setup and the
 * version. Static helpers, called from a program's main thread.
 */
package dst.runtime.cli;
