package dev.jbuild.registry;

import java.util.List;

/**
 * The registry refused the credentials, or wants credentials that jbuild does not have. The
 * message names the registry and says what to do ({@code jbuild login HOST}); it never contains a
 * secret.
 */
public final class RegistryAuthException extends RegistryException {

    private static final long serialVersionUID = 1L;

    RegistryAuthException(String message, int statusCode, List<Error> errors) {
        super(message, statusCode, errors, null, null);
    }
}
