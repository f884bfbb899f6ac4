package dst.protocol;

import io.netty.handler.codec.DecoderException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place that looks through wrapper exceptions. Futures wrap a failure in {@link CompletionException}
 * or {@link ExecutionException}, Netty's decoders in {@link DecoderException}; none of them says anything
 * itself, so every handler and command that reports or classifies a failure unwraps them here.
 */
public final class Failures {
    private Failures() {
    }

    /** {@code t} without its wrappers: the first cause that is not a future's or a decoder's envelope. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof DecoderException)
                && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The innermost cause of {@code t} (e.g. the certificate error under an SSL handshake failure). */
    public static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    /** The failure as a DstException: itself when it is one (once unwrapped), else with {@link DstException#errnoOf}. */
    public static DstException asDstException(Throwable t) {
        Throwable u = unwrap(t);
        if (u instanceof DstException d) return d;
        return new DstException(DstException.errnoOf(u), String.valueOf(u.getMessage()), u);
    }

    /** Text for a log line or a reply: the message of the first DstException in the chain, else of the root cause. */
    public static String message(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof DstException d) return d.getMessage();
        }
        Throwable root = rootCause(t);
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
