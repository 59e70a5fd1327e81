package dev.jbuild.registry;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the token server of one registry handed out: access tokens by scope and the latest
 * refresh token. It outlives each challenge (a registry re-challenges with every 401), so tokens
 * stay usable across them. A token counts as expired a little before its end (a tenth of its
 * lifetime, at most 10 s), so that a request does not set out with a token that runs out on the
 * way.
 */
final class TokenCache {

    record Token(String value, Instant issued, Instant expires) {
        boolean usableAt(Instant now) {
            Duration lifetime = Duration.between(issued, expires);
            Duration margin = lifetime.dividedBy(10);
            if (margin.compareTo(Duration.ofSeconds(10)) > 0) {
                margin = Duration.ofSeconds(10);
            }
            return now.isBefore(expires.minus(margin));
        }
    }

    /** Obtains a token when none is usable. */
    @FunctionalInterface
    interface Fetch {
        Token fetch() throws IOException;
    }

    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Object> fetchLocks = new ConcurrentHashMap<>();
    private volatile String refreshToken;

    /** The usable token for exactly this scope key, or null. */
    Token get(String scopeKey, Instant now) {
        Token t = tokens.get(scopeKey);
        return t != null && t.usableAt(now) ? t : null;
    }

    /**
     * The usable token for the scope key, else one from {@code fetch}, kept. Callers wanting the
     * same scope at once wait for one fetch (the parallel transfers of a push all start here).
     */
    Token getOrFetch(String scopeKey, Fetch fetch) throws IOException {
        Token t = get(scopeKey, Instant.now());
        if (t != null) {
            return t;
        }
        synchronized (fetchLocks.computeIfAbsent(scopeKey, k -> new Object())) {
            t = get(scopeKey, Instant.now());
            if (t == null) {
                t = fetch.fetch();
                put(scopeKey, t);
            }
            return t;
        }
    }

    void put(String scopeKey, Token token) {
        tokens.put(scopeKey, token);
    }

    /** Drops the token if it is still {@code value} (the registry refused it). */
    void invalidate(String scopeKey, String value) {
        tokens.computeIfPresent(scopeKey, (k, t) -> t.value().equals(value) ? null : t);
    }

    /** The refresh token the token server handed out last, or null. */
    String refreshToken() {
        return refreshToken;
    }

    /** Keeps the token server's refresh token; null forgets it (it was refused). */
    void refreshToken(String token) {
        refreshToken = token;
    }
}
