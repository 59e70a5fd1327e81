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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code Bearer} scheme (the distribution token spec): a token is obtained from the
 * challenge's realm for the scope a request needs ({@code repository:NAME:pull}, {@code pull,push},
 * plus {@code pull} on the source of a cross-repository mount), kept in the registry's
 * {@link TokenCache} until shortly before it expires, and obtained again when it expires or the
 * registry refuses it. Tokens come from a {@code GET} with Basic credentials (or none: anonymous),
 * or from an OAuth2 {@code POST} with a refresh token (an identity token from {@code docker login},
 * or one the token server handed out earlier); when the realm does not serve {@code GET}, the
 * password grant is {@code POST}ed instead. Nothing secret is logged.
 */
final class BearerScheme implements AuthScheme {

    private static final Logger LOG = LoggerFactory.getLogger(BearerScheme.class);
    static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    private static final String CLIENT_ID = "jbuild";
    private static final String PREFIX = "Bearer ";

    private final String registry;
    private final AuthChallenge challenge;
    private final Transport transport;
    private final CredentialSource credentials;
    private final TokenCache tokens;

    /** {@code challenge} is a Bearer challenge with a realm; {@code tokens} is the registry's, shared by its challenges. */
    BearerScheme(String registry, AuthChallenge challenge, Transport transport, CredentialSource credentials, TokenCache tokens) {
        this.registry = registry;
        this.challenge = challenge;
        this.transport = transport;
        this.credentials = credentials;
        this.tokens = tokens;
    }

    @Override
    public String authorization(Scope scope) throws IOException {
        return PREFIX + tokens.getOrFetch(scope.key(), () -> fetchToken(scope)).value();
    }

    /** The refused token is dropped, so the retry gets a new one (the old may have been revoked or expired early). */
    @Override
    public boolean retryAfterUnauthorized(Scope scope, String sent) {
        if (sent != null && sent.startsWith(PREFIX)) {
            tokens.invalidate(scope.key(), sent.substring(PREFIX.length()));
        }
        return true;
    }

    private TokenCache.Token fetchToken(Scope scope) throws IOException {
        URI realm = realm();
        Scope wanted = scope;
        if (challenge.param("scope") != null) {
            wanted = wanted.and(Scope.parse(challenge.param("scope")));
        }
        String service = challenge.param("service");
        Optional<Credentials> creds = credentials.get();
        if (creds.isPresent() && realm.getScheme().equalsIgnoreCase("http")
                && !transport.options().isInsecure(realm.getRawAuthority())) {
            throw new RegistryException(registry + ": refusing to send credentials to the plain-HTTP token realm "
                    + Transport.redact(realm));
        }
        String refresh = tokens.refreshToken() != null ? tokens.refreshToken()
                : creds.filter(Credentials::isIdentityToken).map(Credentials::identityToken).orElse(null);
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
                tokens.refreshToken(null);
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

    /** The challenge's realm, which must be an absolute http(s) URI with a host. */
    private URI realm() throws RegistryException {
        URI realm;
        try {
            realm = URI.create(challenge.param("realm"));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(registry + " sent an invalid token realm '" + challenge.param("realm") + "'");
        }
        if (realm.getScheme() == null || !(realm.getScheme().equalsIgnoreCase("https") || realm.getScheme().equalsIgnoreCase("http"))
                || realm.getHost() == null) {
            throw new RegistryException(registry + " sent an invalid token realm '" + challenge.param("realm") + "'");
        }
        return realm;
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
                    + Transport.redact(realm) + " rejected " + Credentials.describeUser(creds) + " (" + detail + ")", r.status(), errors);
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
        return token(json, realm);
    }

    /** The token of a token server's JSON answer; its refresh token, if any, is kept for later fetches. */
    TokenCache.Token token(JsonNode json, URI realm) throws RegistryException {
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
            tokens.refreshToken(refresh);
        }
        return new TokenCache.Token(token, issued, issued.plus(lifetime));
    }

    private static URI withQuery(URI base, String query) {
        if (query.isEmpty()) {
            return base;
        }
        return URI.create(base + (base.getRawQuery() == null ? "?" : "&") + query);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
