package dev.jbuild.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCredentialsTest {

    @TempDir
    Path temp;

    private Path secret(String name, String value) throws Exception {
        return Files.writeString(temp.resolve(name), value);
    }

    @Test
    void hostSpecificSecretsComeFirstHeadersBeforeTokens() throws Exception {
        GitCredentials credentials = GitCredentials.fromSecretFiles(Map.of(
                "GIT_AUTH_TOKEN", secret("t", "general\n"),
                "GIT_AUTH_TOKEN.example.com", secret("th", "hosttoken"),
                "GIT_AUTH_HEADER.other.com:8443", secret("hh", "bearer xyz"),
                "UNRELATED", secret("u", "never read")));
        assertEquals(Optional.of("basic " + Base64.getEncoder().encodeToString("x-access-token:hosttoken".getBytes())),
                credentials.authorization("example.com"));
        assertEquals(Optional.of("bearer xyz"), credentials.authorization("other.com:8443"));
        assertEquals(Optional.of("basic " + Base64.getEncoder().encodeToString("x-access-token:general".getBytes())),
                credentials.authorization("third.org"));
        assertFalse(credentials.toString().contains("general"), "values are never printed");
        assertEquals(Optional.empty(), GitCredentials.none().authorization("example.com"));
    }

    @Test
    void aGeneralHeaderWinsOverAGeneralToken() throws Exception {
        GitCredentials credentials = GitCredentials.fromSecretFiles(Map.of(
                "GIT_AUTH_TOKEN", secret("t", "tok"), "GIT_AUTH_HEADER", secret("h", "basic abc")));
        assertEquals(Optional.of("basic abc"), credentials.authorization("any"));
    }
}
