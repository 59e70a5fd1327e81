package dev.jbuild.signing;

import dev.jbuild.registry.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads signing keys from PEM files: ECDSA P-256 only, which is what {@code cosign generate-key-pair}
 * makes and every cosign verifier accepts. Private keys come as openssl writes them (PKCS#8, SEC1,
 * PKCS#8 encrypted with PBES2) or as cosign writes them (its scrypt + secretbox JSON,
 * {@link CosignKeyFile}); public keys as PKIX ({@code PUBLIC KEY}). Any other curve or algorithm is
 * refused by name, so a user who made an RSA or P-384 key learns why, not that "the key is invalid".
 */
final class SigningKeys {

    /** The OID {@link AlgorithmParameters} names P-256 by (secp256r1, prime256v1). */
    private static final String P256 = "1.2.840.10045.3.1.7";

    private static final List<String> COSIGN_TYPES = List.of("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY");

    private SigningKeys() {}

    static SigningKey privateKey(Path file, PasswordSource password) throws IOException, SigningException {
        for (Pem.Block block : blocks(file)) {
            byte[] pkcs8;
            if (COSIGN_TYPES.contains(block.type())) {
                pkcs8 = CosignKeyFile.decrypt(block.der(), askFor(password, file), file.toString());
            } else if (block.type().equals("ENCRYPTED PRIVATE KEY")) {
                pkcs8 = decryptPkcs8(block.der(), askFor(password, file), file);
            } else {
                pkcs8 = Pem.pkcs8(block, file.toString());
            }
            if (pkcs8 != null) {
                ECPrivateKey key = (ECPrivateKey) p256(new PKCS8EncodedKeySpec(pkcs8), true, file);
                return new SigningKey(key, publicKeyOf(pkcs8, key, file));
            }
        }
        throw new SigningException("no PEM private key in " + file + " (expected PRIVATE KEY, EC PRIVATE KEY, "
                + "ENCRYPTED PRIVATE KEY or cosign's ENCRYPTED SIGSTORE PRIVATE KEY)");
    }

    static ECPublicKey publicKey(Path file) throws IOException, SigningException {
        for (Pem.Block block : blocks(file)) {
            if (block.type().equals("PUBLIC KEY")) {
                return (ECPublicKey) p256(new X509EncodedKeySpec(block.der()), false, file);
            }
        }
        throw new SigningException("no PEM public key (PUBLIC KEY) in " + file);
    }

    private static List<Pem.Block> blocks(Path file) throws IOException, SigningException {
        try {
            return Pem.blocks(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            throw new SigningException("key file " + file + " does not exist");
        } catch (IllegalArgumentException e) {
            throw new SigningException("cannot read PEM file " + file + ": " + e.getMessage());
        }
    }

    private static char[] askFor(PasswordSource password, Path file) throws IOException {
        return password.password("Enter password for private key " + file + ": ");
    }

    /**
     * openssl's {@code pkcs8 -topk8 -v2 aes-256-cbc} form (PBES2: PBKDF2 with HMAC-SHA256, AES-256-CBC),
     * which the JDK decrypts when asked by the algorithm name it reads from the file.
     */
    private static byte[] decryptPkcs8(byte[] der, char[] password, Path file) throws SigningException {
        EncryptedPrivateKeyInfo info;
        try {
            info = new EncryptedPrivateKeyInfo(der);
        } catch (IOException e) {
            throw new SigningException("cannot read the encrypted private key in " + file + ": " + e.getMessage());
        }
        // For PBES2 the JDK's name for the whole scheme ("PBEWithHmacSHA256AndAES_256") is the parameters'
        // text; getAlgName() only says "PBES2", which no factory is registered under.
        String algorithm = info.getAlgParameters() != null && info.getAlgName().equals("PBES2")
                ? info.getAlgParameters().toString() : info.getAlgName();
        try {
            Key secret = SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password));
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, secret, info.getAlgParameters());
            return info.getKeySpec(cipher).getEncoded();
        } catch (InvalidKeySpecException e) {
            // A wrong password gives a padding error (or, by chance, bytes that are no key).
            throw new SigningException("wrong password for the private key in " + file);
        } catch (GeneralSecurityException e) {
            throw new SigningException("cannot decrypt the private key in " + file + " (" + algorithm + "): " + e.getMessage()
                    + "; encrypt it with openssl pkcs8 -topk8 -v2 aes-256-cbc");
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The key of {@code spec} if it is an EC key on P-256; else an error naming what it is. */
    private static Key p256(KeySpec spec, boolean isPrivate, Path file) throws SigningException {
        String kind = isPrivate ? "private" : "public";
        Key key = generate("EC", spec, isPrivate);
        if (key == null) {
            for (String other : new String[] {"RSA", "Ed25519", "Ed448", "DSA"}) {
                if (generate(other, spec, isPrivate) != null) {
                    throw new SigningException("the " + kind + " key in " + file + " is an " + other + " key; "
                            + "only ECDSA P-256 keys are supported (cosign generate-key-pair, or openssl ecparam -name prime256v1 -genkey)");
                }
            }
            throw new SigningException("cannot read the " + kind + " key in " + file);
        }
        String curve = curveName((ECKey) key);
        if (!curve.equals(P256)) {
            throw new SigningException("the " + kind + " key in " + file + " is on curve " + curve + "; only ECDSA P-256 "
                    + "(prime256v1, secp256r1) keys are supported");
        }
        return key;
    }

    /**
     * The public key a PKCS#8 EC key carries (SEC1's optional {@code [1] publicKey} BIT STRING, an
     * uncompressed point), checked against the private key; null when the file has none. The JDK
     * offers no way to compute it from the private scalar.
     */
    private static ECPublicKey publicKeyOf(byte[] pkcs8, ECPrivateKey key, Path file) throws SigningException {
        byte[] point = null;
        try {
            int[] info = Pem.derElement(pkcs8, 0);
            int[] version = Pem.derElement(pkcs8, info[1]);
            int[] algorithm = Pem.derElement(pkcs8, version[1] + version[2]);
            int[] octets = Pem.derElement(pkcs8, algorithm[1] + algorithm[2]);
            int[] sec1 = Pem.derElement(pkcs8, octets[1]);
            for (int p = sec1[1]; p < sec1[1] + sec1[2]; ) {
                int[] field = Pem.derElement(pkcs8, p);
                if (field[0] == 0xa1) {
                    int[] bits = Pem.derElement(pkcs8, field[1]);
                    // One byte of unused bits (0), then 04 || X || Y.
                    point = Arrays.copyOfRange(pkcs8, bits[1] + 1, bits[1] + bits[2]);
                }
                p = field[1] + field[2];
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            return null;
        }
        if (point == null || point.length != 65 || point[0] != 4) {
            return null;
        }
        ECPublicKey publicKey;
        try {
            ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 33)), new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
            publicKey = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, key.getParams()));
        } catch (GeneralSecurityException e) {
            throw new SigningException("the public key stored with the private key in " + file + " is not a point on its curve");
        }
        byte[] probe = "jbuild key check".getBytes(StandardCharsets.US_ASCII);
        if (!Ecdsa.verify(publicKey, probe, Ecdsa.sign(key, probe))) {
            throw new SigningException("the public key stored with the private key in " + file + " does not belong to it");
        }
        return publicKey;
    }

    private static Key generate(String algorithm, KeySpec spec, boolean isPrivate) {
        try {
            KeyFactory factory = KeyFactory.getInstance(algorithm);
            return isPrivate ? factory.generatePrivate(spec) : factory.generatePublic(spec);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The curve's OID, with the JDK's name beside it when that is not P-256 ("1.3.132.0.34 (secp384r1 [NIST P-384])"). */
    private static String curveName(ECKey key) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(key.getParams());
            String oid = parameters.getParameterSpec(ECGenParameterSpec.class).getName();
            return oid.equals(P256) ? oid : oid + " (" + parameters + ")";
        } catch (GeneralSecurityException e) {
            return "(unnamed curve)";
        }
    }
}
