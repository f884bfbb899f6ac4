/**
 * JSON for dst's control socket and {@code --json} outputs ({@link dst.runtime.json.Json}, over Jackson). Stateless
 * static helpers, safe from any thread.
 */
package dst.runtime.json;
