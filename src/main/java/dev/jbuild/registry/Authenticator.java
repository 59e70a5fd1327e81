package dev.jbuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication with one registry. The scheme comes from the registry's
 * {@code WWW-Authenticate} challenge (learnt from a {@code GET /v2/} ping or any 401):
 * <ul>
 * <li>{@code Basic}: the credentials go with every request;
 * <li>{@code Bearer}: a token is obtained from the challenge's realm for the scope a request
 *     needs ({@code repository:NAME:pull}, {@code pull,push}, plus {@code pull} on the source of
 *     a cross-repository mount), cached per scope until shortly before it expires, and obtained
 *     again when it expires or the registry refuses it. Tokens come from a {@code GET} with Basic
 *     credentials (or none: anonymous), or from an OAuth2 {@code POST} with a refresh token (an
 *     identity token from {@code docker login}, or one the token server handed out earlier);
 *     when the realm does not serve {@code GET}, the password grant is {@code POST}ed instead.
 * </ul>
 * Credentials are looked up once, when first needed. Nothing secret is logged.
 */
final class Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    private static final String CLIENT_ID = "jbuild";

    private final String registry;
    private final Transport transport;
    private final CredentialLookup lookup;
    private final TokenCache tokens = new TokenCache();
    private final Map<String, Object> fetchLocks = new ConcurrentHashMap<>();
    private volatile AuthChallenge challenge;
    private volatile boolean pinged;
    private volatile Optional<Credentials> credentials;
    private volatile String refreshToken;

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
                learn(r);
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
        AuthChallenge c = challenge;
        if (c == null) {
            return null;
        }
        if (c.isBasic()) {
            Optional<Credentials> creds = credentials();
            return creds.isPresent() && !creds.get().isIdentityToken() ? creds.get().basicAuthorization() : null;
        }
        if (c.isBearer()) {
            return "Bearer " + token(scope, c).value();
        }
        return null;
    }

    /**
     * Handles a 401: learns the challenge and drops a refused token. True when a retry with
     * {@link #authorization} can do better than {@code sent}.
     */
    boolean unauthorized(Response r, Scope scope, String sent) throws IOException {
        AuthChallenge c = learn(r);
        if (c == null) {
            return false;
        }
        if (c.isBearer()) {
            if (sent != null && sent.startsWith("Bearer ")) {
                tokens.invalidate(scope.key(), sent.substring("Bearer ".length()));
            }
            return true;
        }
        if (c.isBasic()) {
            Optional<Credentials> creds = credentials();
            return sent == null && creds.isPresent() && !creds.get().isIdentityToken();
        }
        return false;
    }

    /** The error for a request the registry still refuses, saying what to do about it. */
    RegistryAuthException denied(Response r, Scope scope, String what) throws IOException {
        List<RegistryException.Error> errors = r.errors();
        Optional<Credentials> creds = credentials();
        String detail = RegistryException.describe(r.status(), errors);
        String message;
        if (creds.isEmpty()) {
            message = what + " failed: " + registry + " requires authentication (" + detail + "); log in with 'jbuild login "
                    + registry + "' or pass credentials";
        } else if (challenge != null && challenge.isBasic()) {
            message = what + " failed: " + registry + " rejected the credentials of user '" + creds.get().username()
                    + "' (" + detail + "); check the user name and password";
        } else {
            message = what + " failed: " + registry + " denied access" + (scope.isEmpty() ? "" : " (" + scope + ")")
                    + " to " + describeUser(creds) + " (" + detail + ")";
        }
        return new RegistryAuthException(message, r.status(), errors);
    }

    private static String describeUser(Optional<Credentials> creds) {
        return creds.map(c -> c.isIdentityToken() ? "the identity token" : "user '" + c.username() + "'").orElse("anonymous");
    }

    private AuthChallenge learn(Response r) {
        return learn(r.headers());
    }

    private AuthChallenge learn(java.net.http.HttpHeaders headers) {
        List<AuthChallenge> all = AuthChallenge.parseAll(headers.allValues("WWW-Authenticate"));
        AuthChallenge chosen = null;
        for (AuthChallenge c : all) {
            if (c.isBearer() && c.param("realm") != null) {
                chosen = c;
                break;
            }
            if (c.isBasic() && chosen == null) {
                chosen = c;
            }
        }
        if (chosen != null) {
            challenge = chosen;
        }
        return chosen;
    }

    // ---- tokens ---------------------------------------------------------------------------------

    private TokenCache.Token token(Scope scope, AuthChallenge c) throws IOException {
        String key = scope.key();
        TokenCache.Token t = tokens.get(key, Instant.now());
        if (t != null) {
            return t;
        }
        synchronized (fetchLocks.computeIfAbsent(key, k -> new Object())) {
            t = tokens.get(key, Instant.now());
            if (t == null) {
                t = fetchToken(scope, c);
                tokens.put(key, t);
            }
            return t;
        }
    }

    private TokenCache.Token fetchToken(Scope scope, AuthChallenge c) throws IOException {
        URI realm;
        try {
            realm = URI.create(c.param("realm"));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(registry + " sent an invalid token realm '" + c.param("realm") + "'");
        }
        if (realm.getScheme() == null || !(realm.getScheme().equalsIgnoreCase("https") || realm.getScheme().equalsIgnoreCase("http"))
                || realm.getHost() == null) {
            throw new RegistryException(registry + " sent an invalid token realm '" + c.param("realm") + "'");
        }
        Scope wanted = scope;
        if (c.param("scope") != null) {
            wanted = wanted.and(Scope.parse(c.param("scope")));
        }
        String service = c.param("service");
        Optional<Credentials> creds = credentials();
        if (creds.isPresent() && realm.getScheme().equalsIgnoreCase("http")
                && !transport.options().isInsecure(realm.getRawAuthority())) {
            throw new RegistryException(registry + ": refusing to send credentials to the plain-HTTP token realm "
                    + Transport.redact(realm));
        }
        String refresh = refreshToken != null ? refreshToken : creds.filter(Credentials::isIdentityToken).map(Credentials::identityToken).orElse(null);
        if (refresh != null) {
            LOG.debug("token for {} ({}) by OAuth2 refresh token", registry, wanted);
            Optional<TokenCache.Token> t;
            try {
                t = postForToken(realm, service, wanted, Map.of("grant_type", "refresh_token", "refresh_token", refresh), creds);
            } catch (RegistryAuthException e) {
                if (creds.isEmpty() || creds.get().isIdentityToken()) {
                    throw e;
                }
                // A refresh token handed out earlier no longer works: the password still may.
                LOG.debug("refresh token for {} refused; using the password", registry);
                refreshToken = null;
                t = Optional.empty();
            }
            if (t.isPresent()) {
                return t.get();
            }
            if (creds.isEmpty() || creds.get().isIdentityToken()) {
                throw new RegistryAuthException("authentication to " + registry + " failed: the token server "
                        + Transport.redact(realm) + " does not accept refresh tokens", 0, List.of());
            }
        }
        List<String> query = new ArrayList<>();
        if (service != null) {
            query.add("service=" + enc(service));
        }
        for (String s : wanted.values()) {
            query.add("scope=" + enc(s));
        }
        String authorization = null;
        if (creds.isPresent() && !creds.get().isIdentityToken()) {
            query.add("account=" + enc(creds.get().username()));
            authorization = creds.get().basicAuthorization();
        }
        URI uri = withQuery(realm, String.join("&", query));
        LOG.debug("token for {} ({}) from {}", registry, wanted, Transport.redact(realm));
        try (Response r = transport.exchange("GET", uri, Map.of("Accept", "application/json"), authorization, null,
                "getting a token for " + registry)) {
            boolean getUnsupported = r.status() == 404 || r.status() == 405;
            if (!getUnsupported || creds.isEmpty() || creds.get().isIdentityToken()) {
                return parseToken(r, realm, creds);
            }
        }
        // The realm does not serve GET: the OAuth2 password grant.
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("username", creds.get().username());
        form.put("password", creds.get().password());
        Optional<TokenCache.Token> t = postForToken(realm, service, wanted, form, creds);
        if (t.isPresent()) {
            return t.get();
        }
        throw new RegistryException("the token server " + Transport.redact(realm) + " of " + registry
                + " answers neither GET nor OAuth2 POST requests");
    }

    /** OAuth2 token POST; empty when the endpoint does not do OAuth2 (404/405). */
    private Optional<TokenCache.Token> postForToken(URI realm, String service, Scope scope, Map<String, String> grant,
            Optional<Credentials> creds) throws IOException {
        Map<String, String> form = new LinkedHashMap<>(grant);
        if (service != null) {
            form.put("service", service);
        }
        form.put("client_id", CLIENT_ID);
        form.put("access_type", "offline");
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, String> e : form.entrySet()) {
            pairs.add(enc(e.getKey()) + "=" + enc(e.getValue()));
        }
        if (!scope.isEmpty()) {
            pairs.add("scope=" + enc(scope.key()));
        }
        byte[] body = String.join("&", pairs).getBytes(StandardCharsets.UTF_8);
        try (Response r = transport.exchange("POST", realm,
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json"), null,
                () -> HttpRequest.BodyPublishers.ofByteArray(body), "getting a token for " + registry)) {
            if (r.status() == 404 || r.status() == 405) {
                LOG.debug("token endpoint {} does not accept OAuth2 POST ({})", Transport.redact(realm), r.status());
                return Optional.empty();
            }
            return Optional.of(parseToken(r, realm, creds));
        }
    }

    private TokenCache.Token parseToken(Response r, URI realm, Optional<Credentials> creds) throws IOException {
        if (r.status() == 401 || r.status() == 403) {
            List<RegistryException.Error> errors = r.errors();
            String detail = RegistryException.describe(r.status(), errors);
            if (creds.isEmpty()) {
                throw new RegistryAuthException(registry + " requires authentication: the token server " + Transport.redact(realm)
                        + " refused anonymous access (" + detail + "); log in with 'jbuild login " + registry + "'",
                        r.status(), errors);
            }
            throw new RegistryAuthException("authentication to " + registry + " failed: the token server "
                    + Transport.redact(realm) + " rejected " + describeUser(creds) + " (" + detail + ")", r.status(), errors);
        }
        if (!r.isSuccess()) {
            throw r.failure("getting a token for " + registry + " from " + Transport.redact(realm));
        }
        JsonNode json;
        try {
            json = Response.json().readTree(r.body().readAtMost(1 << 20));
        } catch (IOException e) {
            throw new RegistryException("the token server " + Transport.redact(realm) + " sent an unreadable answer: " + e.getMessage());
        }
        String token = json == null ? "" : json.path("token").asText("");
        if (token.isEmpty()) {
            token = json == null ? "" : json.path("access_token").asText("");
        }
        if (token.isEmpty()) {
            throw new RegistryException("the token server " + Transport.redact(realm) + " sent no token");
        }
        Duration lifetime = DEFAULT_TOKEN_LIFETIME;
        long expiresIn = json.path("expires_in").asLong(0);
        if (expiresIn > DEFAULT_TOKEN_LIFETIME.toSeconds()) {
            lifetime = Duration.ofSeconds(expiresIn);
        }
        Instant issued = Instant.now();
        String issuedAt = json.path("issued_at").asText("");
        if (!issuedAt.isEmpty()) {
            try {
                Instant at = OffsetDateTime.parse(issuedAt).toInstant();
                // Trust the server's clock only when it roughly agrees with ours.
                if (Duration.between(at, issued).abs().compareTo(Duration.ofMinutes(5)) < 0) {
                    issued = at;
                }
            } catch (DateTimeParseException e) {
                // Keep our own clock.
            }
        }
        String refresh = json.path("refresh_token").asText("");
        if (!refresh.isEmpty()) {
            refreshToken = refresh;
        }
        return new TokenCache.Token(token, issued, issued.plus(lifetime));
    }

    private static URI withQuery(URI base, String query) {
        String b = base.toString();
        if (query.isEmpty()) {
            return base;
        }
        return URI.create(b + (base.getRawQuery() == null ? "?" : "&") + query);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
