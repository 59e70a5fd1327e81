package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Bearer scheme without a token server: what it sends from its cache, drops, refuses and parses. */
class BearerSchemeTest {

    private static final URI REALM = URI.create("https://auth.example/token");

    private final Transport transport = new Transport(RegistryOptions.builder().dockerConfigFile(null).environment(Map.of()).build());
    private final TokenCache tokens = new TokenCache();

    @AfterEach
    void close() {
        transport.close();
    }

    private BearerScheme scheme(String realm, Credentials creds) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("realm", realm);
        params.put("service", "reg.example");
        return new BearerScheme("reg.example", new AuthChallenge("Bearer", params), transport, () -> Optional.ofNullable(creds), tokens);
    }

    private static TokenCache.Token token(String value) {
        Instant now = Instant.now();
        return new TokenCache.Token(value, now, now.plusSeconds(300));
    }

    @Test
    void sendsTheCachedTokenOfTheRequestsScope() throws Exception {
        tokens.put(Scope.pull("a/b").key(), token("pull-token"));
        tokens.put(Scope.push("a/b").key(), token("push-token"));
        BearerScheme scheme = scheme(REALM.toString(), null);
        assertEquals("Bearer pull-token", scheme.authorization(Scope.pull("a/b")));
        assertEquals("Bearer push-token", scheme.authorization(Scope.push("a/b")));
    }

    @Test
    void aRefusedTokenIsDroppedAndTheRequestRetried() throws Exception {
        String key = Scope.pull("a/b").key();
        tokens.put(key, token("current"));
        BearerScheme scheme = scheme(REALM.toString(), null);
        // A token refused earlier than the current one does not evict it.
        assertTrue(scheme.retryAfterUnauthorized(Scope.pull("a/b"), "Bearer stale"));
        assertEquals("current", tokens.get(key, Instant.now()).value());
        assertTrue(scheme.retryAfterUnauthorized(Scope.pull("a/b"), "Bearer current"));
        assertNull(tokens.get(key, Instant.now()));
        // Without a header sent, a token is obtained for the retry.
        assertTrue(scheme.retryAfterUnauthorized(Scope.pull("a/b"), null));
    }

    @Test
    void anInvalidRealmIsRefusedBeforeAnythingIsSent() {
        for (String realm : new String[] {"not a uri", "ftp://auth.example/token", "/token"}) {
            RegistryException e = assertThrows(RegistryException.class, () -> scheme(realm, null).authorization(Scope.pull("a/b")));
            assertEquals("reg.example sent an invalid token realm '" + realm + "'", e.getMessage());
        }
    }

    @Test
    void credentialsAreNotSentToAPlainHttpRealm() {
        RegistryException e = assertThrows(RegistryException.class,
                () -> scheme("http://auth.example/token", Credentials.basic("me", "pw")).authorization(Scope.pull("a/b")));
        assertTrue(e.getMessage().startsWith("reg.example: refusing to send credentials to the plain-HTTP token realm"), e.getMessage());
    }

    @Test
    void readsTheTokenServersAnswer() throws Exception {
        BearerScheme scheme = scheme(REALM.toString(), null);
        Instant before = Instant.now();
        TokenCache.Token t = scheme.token(json("{\"access_token\":\"a\",\"expires_in\":10}"), REALM);
        assertEquals("a", t.value());
        // Shorter lifetimes than the spec's minimum of 60 s count as 60 s.
        assertEquals(BearerScheme.DEFAULT_TOKEN_LIFETIME, Duration.between(t.issued(), t.expires()));
        assertTrue(!t.issued().isBefore(before));
        assertNull(tokens.refreshToken());

        String issued = before.minusSeconds(30).toString();
        t = scheme.token(json("{\"token\":\"t\",\"access_token\":\"a\",\"expires_in\":3600,\"issued_at\":\"" + issued
                + "\",\"refresh_token\":\"r\"}"), REALM);
        assertEquals("t", t.value());
        assertEquals(Instant.parse(issued), t.issued());
        assertEquals(Duration.ofHours(1), Duration.between(t.issued(), t.expires()));
        assertEquals("r", tokens.refreshToken());

        // A server clock far off is not trusted.
        t = scheme.token(json("{\"token\":\"t\",\"issued_at\":\"2001-01-01T00:00:00Z\"}"), REALM);
        assertTrue(!t.issued().isBefore(before));

        RegistryException e = assertThrows(RegistryException.class, () -> scheme.token(json("{\"expires_in\":60}"), REALM));
        assertEquals("the token server https://auth.example/token sent no token", e.getMessage());
    }

    @Test
    void aRefusalIsDeniedAccessNotBadCredentials() {
        assertEquals("reg.example denied access (repository:a/b:pull,push) to user 'me' (DENIED)",
                scheme(REALM.toString(), null).refusal("reg.example", Scope.push("a/b"), Credentials.basic("me", "pw"), "DENIED"));
    }

    private static JsonNode json(String text) throws Exception {
        return Response.json().readTree(text);
    }
}
