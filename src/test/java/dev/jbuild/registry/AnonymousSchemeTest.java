package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class AnonymousSchemeTest {

    private final AnonymousScheme scheme = AnonymousScheme.INSTANCE;

    @Test
    void sendsNothingAndHasNothingToRetryWith() {
        assertNull(scheme.authorization(Scope.pull("a/b")));
        assertNull(scheme.authorization(Scope.none()));
        assertFalse(scheme.retryAfterUnauthorized(Scope.pull("a/b"), null));
        assertFalse(scheme.retryAfterUnauthorized(Scope.pull("a/b"), "Basic x"));
    }

    @Test
    void aRefusalIsDeniedAccessToTheScope() {
        assertEquals("reg.example denied access (repository:a/b:pull) to user 'me' (UNAUTHORIZED)",
                scheme.refusal("reg.example", Scope.pull("a/b"), Credentials.basic("me", "pw"), "UNAUTHORIZED"));
        assertEquals("reg.example denied access to the identity token (x)",
                scheme.refusal("reg.example", Scope.none(), Credentials.identityToken("t"), "x"));
    }
}
