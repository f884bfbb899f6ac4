package dst.server.tls;

import dst.server.auth.ClientKeys;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The identity a client proved with a TLS client certificate (mutual TLS): the subject CN of a
 * certificate the server's {@code --tls-client-ca} verified during the TLS handshake. A CN that is
 * not a valid identity name is not an identity.
 */
public final class PeerCertificate {
    private PeerCertificate() {
    }

    public static Optional<String> identity(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null) return Optional.empty();
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) return Optional.empty();
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn && cn.matches(ClientKeys.NAME_PATTERN)
                        && !cn.equals("anonymous")) {
                    return Optional.of(cn);
                }
            }
            return Optional.empty();
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return Optional.empty(); // no client certificate: the client may still log in with a key
        }
    }
}
