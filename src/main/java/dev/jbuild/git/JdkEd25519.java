package dev.jbuild.git;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.interfaces.EdECKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PrivateKeyEntryDecoder;
import org.apache.sshd.common.config.keys.PublicKeyEntryDecoder;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.security.SecurityProviderRegistrar;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.util.security.eddsa.generic.EdDSASupport;
import org.apache.sshd.common.util.security.eddsa.generic.EdDSAUtils;
import org.apache.sshd.common.util.security.eddsa.generic.GenericEd25519PublicKeyDecoder;
import org.apache.sshd.common.util.security.eddsa.generic.GenericOpenSSHEd25519PrivateKeyEntryDecoder;
import org.apache.sshd.common.util.security.eddsa.generic.GenericSignatureEd25519;

/**
 * Ed25519 for Apache sshd from the JDK (SunEC, Java 15+). sshd 2.19 does Ed25519 only through net.i2p's
 * eddsa or Bouncy Castle, neither of which jbuild carries; without one it cannot read an {@code ssh-ed25519}
 * host key, known_hosts line or agent key, which is what most servers and users have (OpenSSH's default
 * key type). sshd's own generic Ed25519 code (X.509-encoded keys, the {@code EdDSA} signature) works with
 * any provider's keys: this class only names the JDK's key types for it, like sshd's Bouncy Castle support.
 * Private keys never pass through here: signing is the agent's.
 *
 * <p>sshd keeps its security providers in a JVM-wide registry (its design, not ours); {@link #install}
 * adds this one there once, before any connection, and registers the key decoder that sshd's key
 * utilities would otherwise have registered when first loaded.
 */
final class JdkEd25519 implements EdDSASupport<EdECPublicKey, EdECPrivateKey> {

    private static final String NAME = "jbuild-jdk-ed25519";

    /** Makes sshd use the JDK's Ed25519 unless a provider of its own (eddsa, Bouncy Castle) already does. */
    static synchronized void install() {
        if (SecurityUtils.isEDDSACurveSupported()) {
            return;
        }
        JdkEd25519 support = new JdkEd25519();
        SecurityUtils.registerSecurityProvider(new Registrar(support));
        KeyUtils.registerPublicKeyEntryDecoder(support.getEDDSAPublicKeyEntryDecoder());
    }

    @Override
    public PublicKeyEntryDecoder<EdECPublicKey, EdECPrivateKey> getEDDSAPublicKeyEntryDecoder() {
        return new GenericEd25519PublicKeyDecoder<>(EdECPublicKey.class, EdECPrivateKey.class, this);
    }

    @Override
    public PrivateKeyEntryDecoder<EdECPublicKey, EdECPrivateKey> getOpenSSHEDDSAPrivateKeyEntryDecoder() {
        return new GenericOpenSSHEd25519PrivateKeyEntryDecoder<>(EdECPublicKey.class, EdECPrivateKey.class, this);
    }

    @Override
    public Signature getEDDSASigner() {
        return new GenericSignatureEd25519(SecurityUtils.EDDSA);
    }

    @Override
    public int getEDDSAKeySize(Key key) {
        return key instanceof EdECKey ? KEY_SIZE : -1;
    }

    @Override
    public Class<EdECPublicKey> getEDDSAPublicKeyType() {
        return EdECPublicKey.class;
    }

    @Override
    public Class<EdECPrivateKey> getEDDSAPrivateKeyType() {
        return EdECPrivateKey.class;
    }

    @Override
    public boolean compareEDDSAPPublicKeys(PublicKey k1, PublicKey k2) {
        return k1 instanceof EdECPublicKey && k2 instanceof EdECPublicKey && Arrays.equals(k1.getEncoded(), k2.getEncoded());
    }

    @Override
    public boolean compareEDDSAPrivateKeys(PrivateKey k1, PrivateKey k2) {
        return k1 instanceof EdECPrivateKey && k2 instanceof EdECPrivateKey && Arrays.equals(k1.getEncoded(), k2.getEncoded());
    }

    @Override
    public EdECPublicKey recoverEDDSAPublicKey(PrivateKey key) throws GeneralSecurityException {
        // Only sshd's reading of private key files asks for this; keys come from the agent.
        throw new InvalidKeyException("jbuild reads no Ed25519 private keys: keys come from the SSH agent");
    }

    @Override
    public EdECPublicKey generateEDDSAPublicKey(byte[] seed) throws GeneralSecurityException {
        return (EdECPublicKey) keyFactory().generatePublic(EdDSAUtils.createPublicKeySpec(seed));
    }

    @Override
    public EdECPrivateKey generateEDDSAPrivateKey(byte[] seed) throws GeneralSecurityException, IOException {
        return (EdECPrivateKey) keyFactory().generatePrivate(EdDSAUtils.createPrivateKeySpec(seed));
    }

    @Override
    public <B extends Buffer> B putRawEDDSAPublicKey(B buffer, PublicKey key) {
        try {
            buffer.putBytes(EdDSAUtils.getBytes(key));
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return buffer;
    }

    @Override
    public <B extends Buffer> B putEDDSAKeyPair(B buffer, PublicKey pubKey, PrivateKey prvKey) {
        throw new UnsupportedOperationException("jbuild writes no Ed25519 key pairs");
    }

    @Override
    public KeySpec createPublicKeySpec(EdECPublicKey publicKey) {
        return new X509EncodedKeySpec(publicKey.getEncoded());
    }

    @Override
    public KeySpec createPrivateKeySpec(EdECPrivateKey privateKey) {
        return new PKCS8EncodedKeySpec(privateKey.getEncoded());
    }

    @Override
    public byte[] getPublicKeyData(EdECPublicKey publicKey) {
        try {
            return publicKey == null ? null : EdDSAUtils.getBytes(publicKey);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public byte[] getPrivateKeyData(EdECPrivateKey privateKey) throws IOException {
        try {
            return EdDSAUtils.getBytes(privateKey);
        } catch (InvalidKeyException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public String getKeyFactoryAlgorithm() {
        return SecurityUtils.ED25519;
    }

    private KeyFactory keyFactory() throws GeneralSecurityException {
        return SecurityUtils.getKeyFactory(getKeyFactoryAlgorithm());
    }

    /**
     * Offers the Ed25519 support and nothing else: it claims no cipher, digest or signature, so sshd keeps
     * taking those from the JDK's providers as before.
     */
    private record Registrar(JdkEd25519 support) implements SecurityProviderRegistrar {

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public String getProviderName() {
            return "SunEC";
        }

        @Override
        public Provider getSecurityProvider() {
            return Security.getProvider("SunEC");
        }

        @Override
        public boolean isNamedProviderUsed() {
            return false;
        }

        @Override
        public boolean isSupported() {
            return getSecurityProvider() != null;
        }

        @Override
        public boolean isSecurityEntitySupported(Class<?> entityType, String name) {
            return false;
        }

        @Override
        public Optional<EdDSASupport<?, ?>> getEdDSASupport() {
            return Optional.of(support);
        }
    }
}
