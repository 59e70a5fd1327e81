package dev.jbuild.signing;

import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/**
 * An ECDSA P-256 private key read by {@link ImageSigner#readPrivateKey}, with its public key when
 * the file carries it (openssl's and cosign's files do): signing again then finds an equivalent
 * signature already stored instead of adding another, as cosign does.
 *
 * @param publicKey null when the key file held only the private scalar
 */
public record SigningKey(ECPrivateKey privateKey, ECPublicKey publicKey) {}
