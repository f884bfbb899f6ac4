package dst.protocol.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The mutual challenge-response of the handshake. Both ends compute
 *
 * <pre>
 * proof = HMAC-SHA256(key, label || u16 len(Nc) || Nc || u16 len(Ns) || Ns
 *                          || u16 len(identity) || identity || u16 len(export) || export)
 * label = "dst-client" (the client's proof, in AUTH) or "dst-server" (the server's, in WELCOME)
 * </pre>
 *
 * Every field is length-prefixed so that no two different inputs hash the same bytes, and the two
 * labels make a client proof useless as a server proof (no reflection). Both nonces are fresh per
 * connection, so a recorded proof is useless later (no replay). Keys never leave this class.
 */
public final class AuthProof {
    public static final int NONCE_LENGTH = 32;
    public static final int PROOF_LENGTH = 32;
    static final byte[] CLIENT_LABEL = "dst-client".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SERVER_LABEL = "dst-server".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private AuthProof() {
    }

    /** A fresh random nonce. */
    public static byte[] nonce() {
        byte[] n = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(n);
        return n;
    }

    /** What the client sends in AUTH. */
    public static byte[] client(byte[] key, byte[] clientNonce, byte[] serverNonce, String identity, String export) {
        return hmac(key, CLIENT_LABEL, clientNonce, serverNonce, identity, export);
    }

    /** What the server sends in WELCOME. */
    public static byte[] server(byte[] key, byte[] clientNonce, byte[] serverNonce, String identity, String export) {
        return hmac(key, SERVER_LABEL, clientNonce, serverNonce, identity, export);
    }

    /** Constant-time comparison: the time taken says nothing about how many leading bytes matched. */
    public static boolean matches(byte[] expected, byte[] actual) {
        return actual != null && MessageDigest.isEqual(expected, actual);
    }

    private static byte[] hmac(byte[] key, byte[] label, byte[] nc, byte[] ns, String identity, String export) {
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        byte[] ex = export.getBytes(StandardCharsets.UTF_8);
        ByteBuffer msg = ByteBuffer.allocate(label.length + 8 + nc.length + ns.length + id.length + ex.length);
        msg.put(label);
        for (byte[] field : new byte[][]{nc, ns, id, ex}) {
            if (field.length > 0xFFFF) throw new IllegalArgumentException("field too long for a proof: " + field.length);
            msg.putShort((short) field.length).put(field);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(msg.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
