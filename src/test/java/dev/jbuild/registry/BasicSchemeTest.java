package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BasicSchemeTest {

    private static BasicScheme with(Credentials creds) {
        return new BasicScheme(() -> Optional.ofNullable(creds));
    }

    @Test
    void sendsUserAndPasswordWhateverTheScope() throws Exception {
        String expected = "Basic " + Base64.getEncoder().encodeToString("me:p:w".getBytes(StandardCharsets.UTF_8));
        BasicScheme scheme = with(Credentials.basic("me", "p:w"));
        assertEquals(expected, scheme.authorization(Scope.pull("a/b")));
        assertEquals(expected, scheme.authorization(Scope.push("c/d")));
        assertEquals(expected, scheme.authorization(Scope.none()));
    }

    @Test
    void withoutPasswordCredentialsSendsNothing() throws Exception {
        assertNull(with(null).authorization(Scope.pull("a/b")));
        // An identity token is for a token server only.
        assertNull(with(Credentials.identityToken("refresh")).authorization(Scope.pull("a/b")));
    }

    @Test
    void retriesOnlyARequestThatWentWithoutExistingCredentials() throws Exception {
        BasicScheme scheme = with(Credentials.basic("me", "pw"));
        assertTrue(scheme.retryAfterUnauthorized(Scope.pull("a/b"), null));
        assertFalse(scheme.retryAfterUnauthorized(Scope.pull("a/b"), scheme.authorization(Scope.pull("a/b"))));
        assertFalse(with(null).retryAfterUnauthorized(Scope.pull("a/b"), null));
        assertFalse(with(Credentials.identityToken("refresh")).retryAfterUnauthorized(Scope.pull("a/b"), null));
    }

    @Test
    void aRefusalBlamesTheCredentials() {
        assertEquals("reg.example rejected the credentials of user 'me' (UNAUTHORIZED); check the user name and password",
                with(null).refusal("reg.example", Scope.pull("a/b"), Credentials.basic("me", "pw"), "UNAUTHORIZED"));
    }
}
