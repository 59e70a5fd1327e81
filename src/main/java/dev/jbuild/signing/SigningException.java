package dev.jbuild.signing;

/**
 * A key that cannot be used (unreadable, wrong password, not ECDSA P-256) or a signature that does
 * not verify; the message says which, for the user.
 */
public final class SigningException extends Exception {

    private static final long serialVersionUID = 1L;

    public SigningException(String message) {
        super(message);
    }
}
