package dst.client.net;

import dst.client.core.TlsTrust;
import dst.protocol.DstException;
import dst.protocol.Errno;
import dst.protocol.auth.ClientKey;
import dst.runtime.transport.Tls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.util.FingerprintTrustManagerFactory;


/**
 * Builds the client's TLS 1.3 context from a {@link TlsTrust}. A pinned fingerprint trusts exactly
 * that certificate, whatever its names (so no host name check); a CA file trusts what it issued and
 * checks the host name against the certificate, as a browser would. A client certificate, when
 * given, is presented to servers that ask for one (mutual TLS).
 */
public final class ClientTls {
    private ClientTls() {
    }

    /** Why a TLS handshake failed, for the user: the root cause, as EACCES (an untrusted certificate, usually). */
    public static DstException failure(SslHandshakeCompletionEvent failed) {
        Throwable c = dst.protocol.Failures.rootCause(failed.cause());
        return new DstException(Errno.EACCES, "TLS handshake failed (server certificate not trusted?): " + c.getMessage(), failed.cause());
    }

    static SslContext context(TlsTrust trust) throws DstException {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(Tls.provider()).protocols(Tls.PROTOCOL);
            if (trust.fingerprint() != null) {
                b.trustManager(FingerprintTrustManagerFactory.builder("SHA-256").fingerprints(trust.fingerprint()).build())
                        .endpointIdentificationAlgorithm(null);
            } else {
                b.trustManager(trust.caFile().toFile()).endpointIdentificationAlgorithm("HTTPS");
            }
            if (trust.clientCert() != null) {
                ClientKey.requirePrivate(trust.clientKey());
                b.keyManager(trust.clientCert().toFile(), trust.clientKey().toFile());
            }
            return b.build();
        } catch (java.io.IOException e) {
            throw new DstException(Errno.EINVAL, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new DstException(Errno.EINVAL, "cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
