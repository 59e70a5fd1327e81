package dev.jbuild.signing;

import java.io.IOException;

/**
 * Where the password of an encrypted private key comes from; asked only when the key is encrypted.
 * The CLI's reads {@code COSIGN_PASSWORD} (as cosign does) or prompts on a terminal.
 */
@FunctionalInterface
public interface PasswordSource {

    /** The password, for {@code prompt} (what a terminal prompt would say). The caller clears the array after use. */
    char[] password(String prompt) throws IOException;

    /** A fixed password (tests, callers that have it already). */
    static PasswordSource of(String password) {
        return prompt -> password.toCharArray();
    }
}
