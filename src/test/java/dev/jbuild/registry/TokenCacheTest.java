package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenCacheTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void tokensExpireShortlyBeforeTheirEnd() {
        TokenCache cache = new TokenCache();
        cache.put("repository:a:pull", new TokenCache.Token("t1", T0, T0.plusSeconds(60)));
        assertEquals("t1", cache.get("repository:a:pull", T0.plusSeconds(50)).value());
        // A tenth of 60 s: gone from 54 s on.
        assertNull(cache.get("repository:a:pull", T0.plusSeconds(54)));
        assertNull(cache.get("repository:a:pull pull", T0));

        cache.put("long", new TokenCache.Token("t2", T0, T0.plus(Duration.ofHours(1))));
        // At most 10 s early for long-lived tokens.
        assertEquals("t2", cache.get("long", T0.plusSeconds(3589)).value());
        assertNull(cache.get("long", T0.plusSeconds(3590)));
    }

    @Test
    void invalidateOnlyTheRefusedToken() {
        TokenCache cache = new TokenCache();
        cache.put("s", new TokenCache.Token("new", T0, T0.plusSeconds(300)));
        cache.invalidate("s", "old");
        assertEquals("new", cache.get("s", T0).value());
        cache.invalidate("s", "new");
        assertNull(cache.get("s", T0));
    }

    @Test
    void getOrFetchFetchesOnlyWhatIsNotUsable() throws Exception {
        TokenCache cache = new TokenCache();
        AtomicInteger fetches = new AtomicInteger();
        TokenCache.Fetch fetch = () -> {
            Instant now = Instant.now();
            return new TokenCache.Token("t" + fetches.incrementAndGet(), now, now.plusSeconds(300));
        };
        assertEquals("t1", cache.getOrFetch("s", fetch).value());
        assertEquals("t1", cache.getOrFetch("s", fetch).value());
        assertEquals("t2", cache.getOrFetch("other", fetch).value());
        cache.invalidate("s", "t1");
        assertEquals("t3", cache.getOrFetch("s", fetch).value());
        assertEquals(3, fetches.get());
    }
}
