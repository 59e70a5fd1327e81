package dev.jbuild.registry;

import java.io.IOException;
import java.util.Optional;

/**
 * The {@code Basic} scheme: the user name and password go with every request, whatever its
 * scope. An identity token cannot be sent so (it is only for a token server), so with one the
 * requests go without. A 401 is worth a retry only when the refused request went without
 * credentials that exist: sent ones were refused as they are.
 */
final class BasicScheme implements AuthScheme {

    private final CredentialSource credentials;

    BasicScheme(CredentialSource credentials) {
        this.credentials = credentials;
    }

    @Override
    public String authorization(Scope scope) throws IOException {
        Optional<Credentials> creds = credentials.get();
        return creds.isPresent() && !creds.get().isIdentityToken() ? creds.get().basicAuthorization() : null;
    }

    @Override
    public boolean retryAfterUnauthorized(Scope scope, String sent) throws IOException {
        return sent == null && authorization(scope) != null;
    }

    @Override
    public String refusal(String registry, Scope scope, Credentials creds, String detail) {
        return registry + " rejected the credentials of user '" + creds.username() + "' (" + detail
                + "); check the user name and password";
    }
}
