package dev.jbuild.registry;

import java.io.IOException;
import java.util.Optional;

/**
 * How requests to one registry are authorised, chosen by {@link Authenticator} from the
 * registry's {@code WWW-Authenticate} challenge: nothing ({@link AnonymousScheme}, before or without
 * a challenge jbuild understands), the credentials themselves ({@link BasicScheme}) or tokens from the
 * challenge's realm ({@link BearerScheme}). Each scheme says what goes into the {@code Authorization}
 * header and what a 401 means for it, so a new scheme is one class here plus its choice in
 * {@link Authenticator}.
 */
sealed interface AuthScheme permits AnonymousScheme, BasicScheme, BearerScheme {

    /** The credentials of the registry, looked up once when a scheme first needs them. */
    @FunctionalInterface
    interface CredentialSource {
        Optional<Credentials> get() throws IOException;
    }

    /** The {@code Authorization} header value for a request needing {@code scope}; null for none. */
    String authorization(Scope scope) throws IOException;

    /**
     * The registry answered 401 (with this scheme's challenge) to a request that carried
     * {@code sent} (null: no header). True when a retry with {@link #authorization} can do better.
     */
    boolean retryAfterUnauthorized(Scope scope, String sent) throws IOException;

    /**
     * Why a request by {@code creds} (present) is still refused, after "{@code what} failed: ";
     * {@code detail} is the registry's error. A scheme that sends tokens was refused access to the
     * scope, not the credentials, which the token server already accepted.
     */
    default String refusal(String registry, Scope scope, Credentials creds, String detail) {
        return registry + " denied access" + (scope.isEmpty() ? "" : " (" + scope + ")") + " to "
                + Credentials.describeUser(Optional.of(creds)) + " (" + detail + ")";
    }
}
