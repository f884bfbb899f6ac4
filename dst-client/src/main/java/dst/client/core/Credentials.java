package dst.client.core;

/**
 * Who the client is and the key that proves it; {@link #ANONYMOUS} for a client without a key.
 * The key is only ever fed to the HMAC (see AuthProof) and never printed.
 *
 * @param identity client name, as registered on the server with {@code dst-server client add}
 * @param key      the 32-byte key, or null when anonymous
 */
public record Credentials(String identity, byte[] key) {
    public static final Credentials ANONYMOUS = new Credentials("", null);

    public Credentials {
        if ((key == null) != identity.isEmpty()) {
            throw new IllegalArgumentException(key == null ? "identity '" + identity + "' needs a key" : "a key needs an identity");
        }
        key = key == null ? null : key.clone();
    }

    public boolean anonymous() {
        return key == null;
    }

    @Override
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    @Override
    public String toString() {
        return anonymous() ? "anonymous" : identity + " (key hidden)";
    }
}
