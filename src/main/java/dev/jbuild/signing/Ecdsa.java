package dev.jbuild.signing;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/** ECDSA with SHA-256, signatures in ASN.1 DER (what cosign writes, base64, and {@code openssl dgst -verify} reads). */
final class Ecdsa {

    private static final String ALGORITHM = "SHA256withECDSA";

    private Ecdsa() {}

    static byte[] sign(ECPrivateKey key, byte[] message) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA P-256 signing is part of every JDK", e);
        }
    }

    /** Whether {@code signature} (DER) is {@code key}'s over {@code message}; a malformed signature is simply not. */
    static boolean verify(ECPublicKey key, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
