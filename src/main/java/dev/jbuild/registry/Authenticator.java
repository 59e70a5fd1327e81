package dev.jbuild.registry;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Authentication with one registry: pings it once ({@code GET /v2/}) and chooses the
 * {@link AuthScheme} from its {@code WWW-Authenticate} challenges (that answer's, or any later
 * 401's), then leaves the header and the meaning of a 401 to the scheme. A Bearer challenge with
 * a realm is preferred to Basic, as Docker does; the registry's {@link TokenCache} outlives the
 * challenges. Credentials are looked up once, when first needed.
 */
final class Authenticator {

    private final String registry;
    private final Transport transport;
    private final CredentialLookup lookup;
    private final TokenCache tokens = new TokenCache();
    private volatile AuthScheme scheme = AnonymousScheme.INSTANCE;
    private volatile boolean pinged;
    private volatile Optional<Credentials> credentials;

    Authenticator(String registry, Transport transport, CredentialLookup lookup) {
        this.registry = registry;
        this.transport = transport;
        this.lookup = lookup;
    }

    /** With fixed credentials (for verifying a login), bypassing the lookup. */
    Authenticator(String registry, Transport transport, Credentials fixed) {
        this(registry, transport, (CredentialLookup) null);
        this.credentials = Optional.ofNullable(fixed);
    }

    Optional<Credentials> credentials() throws IOException {
        Optional<Credentials> c = credentials;
        if (c == null) {
            synchronized (this) {
                if (credentials == null) {
                    credentials = lookup.lookup(registry);
                }
                c = credentials;
            }
        }
        return c;
    }

    /** The GET /v2/ ping, once: learns the auth scheme without sending a body. */
    void ensurePinged(Transport.Endpoint ep) throws IOException {
        if (pinged) {
            return;
        }
        // Once per registry: the parallel transfers of a push all start here.
        synchronized (this) {
            if (!pinged) {
                ping(ep);
            }
        }
    }

    private void ping(Transport.Endpoint ep) throws IOException {
        Transport.ProbeAnswer probed = ep.probed();
        // Choosing an insecure registry's scheme sent this very request; its answer serves unless
        // the ping would have followed a redirect or failed (and reported the body).
        if (probed != null && !isRedirect(probed.status()) && !RetryPolicy.isRetryableStatus(probed.status())) {
            if (probed.status() == 401) {
                learn(probed.headers());
            }
            pinged = true;
            return;
        }
        try (Response r = transport.exchange("GET", ep.resolve("/v2/"), Map.of(), null, null, "checking " + registry)) {
            if (r.status() == 401) {
                learn(r.headers());
            } else if (RetryPolicy.isRetryableStatus(r.status())) {
                throw r.failure("checking registry " + registry);
            }
        }
        pinged = true;
    }

    private static boolean isRedirect(int status) {
        return status >= 300 && status < 400;
    }

    /** The Authorization header value for a request needing {@code scope}; null when none is known to be needed. */
    String authorization(Scope scope) throws IOException {
        return scheme.authorization(scope);
    }

    /**
     * Handles a 401: learns the challenge and lets its scheme judge the refusal of {@code sent}.
     * True when a retry with {@link #authorization} can do better.
     */
    boolean unauthorized(Response r, Scope scope, String sent) throws IOException {
        AuthScheme learnt = learn(r.headers());
        return learnt != null && learnt.retryAfterUnauthorized(scope, sent);
    }

    /** The error for a request the registry still refuses, saying what to do about it. */
    RegistryAuthException denied(Response r, Scope scope, String what) throws IOException {
        List<RegistryException.Error> errors = r.errors();
        Optional<Credentials> creds = credentials();
        String detail = RegistryException.describe(r.status(), errors);
        String message;
        if (creds.isEmpty()) {
            message = what + " failed: " + registry + " requires authentication (" + detail + "); log in with 'jbuild login "
                    + registry + "' (--creds USER:PASSWORD serves only the images a command names, not base images)";
        } else {
            message = what + " failed: " + scheme.refusal(registry, scope, creds.get(), detail);
        }
        return new RegistryAuthException(message, r.status(), errors);
    }

    /** Chooses the scheme of the challenges in {@code headers}; null (the scheme unchanged) when none is usable. */
    private AuthScheme learn(HttpHeaders headers) {
        AuthChallenge chosen = choose(AuthChallenge.parseAll(headers.allValues("WWW-Authenticate")));
        if (chosen == null) {
            return null;
        }
        AuthScheme learnt = chosen.isBearer()
                ? new BearerScheme(registry, chosen, transport, this::credentials, tokens)
                : new BasicScheme(this::credentials);
        scheme = learnt;
        return learnt;
    }

    /** The first Bearer challenge with a realm, else the first Basic one, else null. */
    static AuthChallenge choose(List<AuthChallenge> challenges) {
        AuthChallenge chosen = null;
        for (AuthChallenge c : challenges) {
            if (c.isBearer() && c.param("realm") != null) {
                return c;
            }
            if (c.isBasic() && chosen == null) {
                chosen = c;
            }
        }
        return chosen;
    }
}
