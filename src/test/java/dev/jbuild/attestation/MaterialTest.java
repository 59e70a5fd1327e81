package dev.jbuild.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** One rule for a URL's credentials: dropped (a material's URI, any text quoting URLs) or masked (a kept .git's origin, as BuildKit's). */
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

    @Test
    void maskedCredentialsReplaceUserAndPasswordEach() {
        assertEquals("https://xxxxx:xxxxx@host/repo.git#v1", Material.maskedCredentials("https://x:token@host/repo.git#v1"));
        assertEquals("https://xxxxx@host/repo.git", Material.maskedCredentials("https://token@host/repo.git"));
        assertEquals("https://:xxxxx@host/repo.git", Material.maskedCredentials("https://:token@host/repo.git"));
        assertEquals("https://host/repo.git?ref=a@b", Material.maskedCredentials("https://host/repo.git?ref=a@b"));
        assertEquals("git@host:org/repo.git", Material.maskedCredentials("git@host:org/repo.git"), "scp-style is no URL");
        assertEquals("http://xxxxx:xxxxx@host/r.git", Material.maskedCredentials("http://u:p@ss@host/r.git"),
                "the user info ends at the authority's last @, as Go's url.Parse reads it");
    }

    @Test
    void withoutCredentialsDropsTheWholeUserInfo() {
        assertEquals("https://host/repo.git", Material.withoutCredentials("https://x:token@host/repo.git"));
        assertEquals("http://host/r.git", Material.withoutCredentials("http://u:p@ss@host/r.git"));
        assertEquals("https://host/a?x=a@b", Material.withoutCredentials("https://host/a?x=a@b"));
    }
}
