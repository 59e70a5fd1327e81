package dev.jbuild.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens of one registry by scope. A token counts as expired a little before its end
 * (a tenth of its lifetime, at most 10 s), so that a request does not set out with a token that
 * runs out on the way.
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

    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    /** The usable token for exactly this scope key, or null. */
    Token get(String scopeKey, Instant now) {
        Token t = tokens.get(scopeKey);
        return t != null && t.usableAt(now) ? t : null;
    }

    void put(String scopeKey, Token token) {
        tokens.put(scopeKey, token);
    }

    /** Drops the token if it is still {@code value} (the registry refused it). */
    void invalidate(String scopeKey, String value) {
        tokens.computeIfPresent(scopeKey, (k, t) -> t.value().equals(value) ? null : t);
    }

    int size() {
        return tokens.size();
    }
}
