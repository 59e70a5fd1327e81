package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which challenge a registry's 401 leads to. */
class AuthenticatorTest {

    private static AuthChallenge chosen(String... headers) {
        return Authenticator.choose(AuthChallenge.parseAll(List.of(headers)));
    }

    @Test
    void bearerWithARealmIsPreferredToBasicInAnyOrder() {
        assertEquals("bearer", chosen("Basic realm=\"r\"", "Bearer realm=\"https://auth/t\"").scheme());
        assertEquals("bearer", chosen("Basic realm=\"r\", Bearer realm=\"https://auth/t\",service=\"s\"").scheme());
        assertEquals("https://auth/t", chosen("Bearer realm=\"https://auth/t\"", "Basic realm=\"r\"").param("realm"));
    }

    @Test
    void bearerWithoutARealmIsUnusable() {
        assertEquals("basic", chosen("Bearer service=\"s\"", "Basic realm=\"r\"").scheme());
        assertNull(chosen("Bearer service=\"s\""));
    }

    @Test
    void unknownSchemesChooseNothing() {
        assertNull(chosen("Negotiate", "Digest realm=\"r\", nonce=\"n\""));
        assertNull(chosen());
    }
}
