package dev.jbuild.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** One rule for a URL's credentials: in a material's URI and in any text that quotes URLs. */
class MaterialTest {

    @Test
    void theUserInfoOfAUrlIsRemovedUpToItsLastAt() {
        assertEquals("https://host/a@b?q=x@y#f", Material.withoutCredentials("https://user:pw@host/a@b?q=x@y#f"));
        assertEquals("https://host/x", Material.withoutCredentials("https://user:p@ss@host/x"), "a password may hold an @");
        assertEquals("git+ssh://host/r.git", Material.withoutCredentials("git+ssh://git@host/r.git"));
        assertEquals("https://host/x", Material.withoutCredentials("https://host/x"));
        assertEquals("not a url user@host", Material.withoutCredentials("not a url user@host"));
    }

    @Test
    void everyUrlInATextLosesItsCredentials() {
        assertEquals("Dockerfile:2: ADD failed: downloading http://127.0.0.1:8080/f: HTTP 404 (and https://h/ from a@b)",
                Material.withoutCredentialsIn(
                        "Dockerfile:2: ADD failed: downloading http://u:pw@127.0.0.1:8080/f: HTTP 404 (and https://t0k@h/ from a@b)"));
        assertEquals("mail a@b.example, no URL", Material.withoutCredentialsIn("mail a@b.example, no URL"));
    }
}
