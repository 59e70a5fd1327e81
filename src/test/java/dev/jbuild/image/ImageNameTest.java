package dev.jbuild.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Names as Docker's reference package normalises them (what {@code docker pull NAME} fetches). */
class ImageNameTest {

    private static final String SHA = "sha256:" + "ab".repeat(32);

    @ParameterizedTest
    @CsvSource({
        "alpine,                         docker.io/library/alpine:latest",
        "alpine:3.19,                    docker.io/library/alpine:3.19",
        "docker.io/ubuntu,               docker.io/library/ubuntu:latest",
        "index.docker.io/ubuntu:22.04,   docker.io/library/ubuntu:22.04",
        "registry-1.docker.io/ubuntu,    docker.io/library/ubuntu:latest",
        "docker.io/library/ubuntu,       docker.io/library/ubuntu:latest",
        "bitnami/redis:7,                docker.io/bitnami/redis:7",
        "docker.io/bitnami/redis,        docker.io/bitnami/redis:latest",
        "localhost/app,                  localhost/app:latest",
        "localhost:5000/app:1,           localhost:5000/app:1",
        "127.0.0.1:5000/a/b/c:v1.2-rc_3, 127.0.0.1:5000/a/b/c:v1.2-rc_3",
        "ghcr.io/org/app,                ghcr.io/org/app:latest",
        "Registry/app,                   Registry/app:latest",
        "[::1]:5000/app,                 [::1]:5000/app:latest",
        "my.registry/a__b/c-d--e/f.g,    my.registry/a__b/c-d--e/f.g:latest",
        "localhost:5000,                 docker.io/library/localhost:5000",
    })
    void normalisesAsDockerDoes(String reference, String expected) {
        assertEquals(expected, ImageName.parse(reference).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"alpine@", "alpine@sha256:abc", "alpine:", "alpine:-x", "/alpine", "alpine/", "a//b", "-a/b", "ghcr.io/-org/app", "ghcr.io/org/app_", "bad_host.io:x/app",
        "ab.io/a b", "alpine::1", ""})
    void refusesWhatDockerRefuses(String reference) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageName.parse(reference));
        assertTrue(e.getMessage().startsWith("invalid reference format"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Alpine", "docker.io/Library/alpine", "ghcr.io/Org/app"})
    void aRepositoryMustBeLowerCase(String reference) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageName.parse(reference));
        assertTrue(e.getMessage().endsWith("must be lowercase"), e.getMessage());
    }

    @Test
    void digestsWithAndWithoutTags() {
        ImageName byDigest = ImageName.parse("alpine@" + SHA);
        assertEquals(null, byDigest.tag());
        assertEquals(SHA, byDigest.digest());
        ImageName both = ImageName.parse("localhost:5000/app:1@" + SHA);
        assertEquals("1", both.tag());
        assertEquals("localhost:5000", both.registry());
        assertEquals("app:1@" + SHA, both.familiar().substring("localhost:5000/".length()));
        assertEquals("alpine:3", ImageName.parse("docker.io/library/alpine:3").familiar());
        assertEquals("registry-1.docker.io", ImageName.parse("docker.io/ubuntu").registryHost());
        // Kept in a store as Docker keeps it: a digest beside a tag pins the image, the tag is dropped.
        assertEquals("localhost:5000/app@" + SHA, both.pinned().toString());
        assertEquals(byDigest, byDigest.pinned());
        assertEquals("docker.io/library/alpine:3", ImageName.parse("alpine:3").pinned().toString());
    }

    @Test
    void aTagLongerThan128CharactersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ImageName.parse("alpine:" + "x".repeat(129)));
        assertEquals("x".repeat(128), ImageName.parse("alpine:" + "x".repeat(128)).tag());
    }

    @Test
    void aBareImageIdIsNotAName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageName.parse("ab".repeat(32)));
        assertTrue(e.getMessage().contains("cannot specify 64-byte hexadecimal strings"), e.getMessage());
    }

    @Test
    void aNameLongerThanDockerAllowsIsRefused() {
        String longName = "a".repeat(256);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageName.parse(longName));
        assertTrue(e.getMessage().contains("must not be more than 255 characters"), e.getMessage());
    }
}
