package dev.jbuild.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // given,                  normalised
        "linux/amd64,              linux/amd64",
        "linux/x86_64,             linux/amd64",
        "Linux/X86-64,             linux/amd64",
        "linux/amd64/v1,           linux/amd64",
        "linux/amd64/v3,           linux/amd64/v3",
        "linux/aarch64,            linux/arm64",
        "linux/arm64,              linux/arm64",
        "linux/arm64/8,            linux/arm64",
        "linux/arm64/v8,           linux/arm64",
        "linux/arm64/v8.0,         linux/arm64",
        "linux/arm64/v8.2,         linux/arm64/v8.2",
        "linux/arm64/9,            linux/arm64/v9",
        "linux/arm64/v9.0,         linux/arm64/v9",
        "linux/i386/v7,            linux/386",
        "linux/arm,                linux/arm/v7",
        "linux/arm/6,              linux/arm/v6",
        "linux/armhf,              linux/arm/v7",
        "linux/armel,              linux/arm/v6",
        "linux/i386,               linux/386",
        "linux/i686,               linux/386",
        "linux/ppc64le,            linux/ppc64le",
        "linux/s390x,              linux/s390x",
        "linux/riscv64,            linux/riscv64",
        "macos/arm64,              darwin/arm64",
        "windows/amd64,            windows/amd64",
    })
    void normalisesLikeContainerd(String given, String expected) {
        assertEquals(expected, Platform.parse(given).normalize().toString());
    }

    @Test
    void parseKeepsWhatWasWritten() {
        Platform p = Platform.parse("linux/arm64/v8");
        assertEquals("linux", p.os());
        assertEquals("arm64", p.architecture());
        assertEquals("v8", p.variant());
        assertNull(Platform.parse("linux/aarch64").variant());
        assertEquals("aarch64", Platform.parse("linux/aarch64").architecture());

        Platform w = Platform.parse("windows(10.0.17763.5458)/amd64");
        assertEquals("windows", w.os());
        assertEquals("10.0.17763.5458", w.osVersion());
        assertEquals("amd64", w.architecture());
    }

    @Test
    void singleWordIsAnOsOrALinuxArchitecture() {
        assertEquals("linux/arm64", Platform.parse("arm64").toString());
        Platform linux = Platform.parse("linux");
        assertEquals("linux", linux.os());
        assertEquals(Platform.host().architecture(), linux.architecture());
        assertEquals("linux/x86_64", Platform.parse("x86_64").toString(), "an alias containerd normalises is known");
        IllegalArgumentException bogus = assertThrows(IllegalArgumentException.class, () -> Platform.parse("bogus"));
        assertEquals("invalid platform 'bogus': unknown operating system or architecture", bogus.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "linux/", "/amd64", "linux//v7", "linux/amd64/v3/x", "linux/am d64", "linux/amd64;rm", "(1)/amd64"})
    void rejectsMalformedPlatforms(String text) {
        assertThrows(IllegalArgumentException.class, () -> Platform.parse(text));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "Linux,      amd64,   linux/amd64",
        "Linux,      x86_64,  linux/amd64",
        "Linux,      aarch64, linux/arm64",
        "Linux,      arm,     linux/arm/v7",
        "Linux,      x86,     linux/386",
        "Linux,      ppc64le, linux/ppc64le",
        "Mac OS X,   aarch64, darwin/arm64",
        "Windows 11, amd64,   windows/amd64",
    })
    void hostPlatformFromJvmProperties(String osName, String osArch, String expected) {
        assertEquals(expected, Platform.fromJvm(osName, osArch).toString());
    }

    @ParameterizedTest(name = "wanted {0}, candidate {1} -> rank {2}")
    @CsvSource({
        // wanted,           candidate,         rank (-1: no match)
        "linux/amd64,        linux/amd64,       0",
        "linux/amd64,        linux/x86_64,      0",
        "linux/amd64,        linux/amd64/v1,    0",
        "linux/amd64,        linux/amd64/v2,    -1",
        "linux/amd64/v3,     linux/amd64/v3,    0",
        "linux/amd64/v3,     linux/amd64/v2,    2",
        "linux/amd64/v3,     linux/amd64,       4",
        "linux/amd64,        linux/386,         -1",
        "linux/amd64,        windows/amd64,     -1",
        "linux/arm64,        linux/arm64/v8,    0",
        "linux/arm64/v8,     linux/arm64,       0",
        "linux/aarch64,      linux/arm64/v8,    0",
        "linux/arm64,        linux/arm64/v8.2,  -1",
        "linux/arm64/v8.2,   linux/arm64/v8.1,  2",
        "linux/arm64/v8.2,   linux/arm64,       4",
        "linux/arm64/v9,     linux/arm64/v8.5,  10",
        "linux/arm64,        linux/arm/v7,      -1",
        "linux/arm/v7,       linux/arm/v7,      0",
        "linux/arm,          linux/arm/v7,      0",
        "linux/arm/v7,       linux/arm/v6,      2",
        "linux/arm/v7,       linux/arm/v5,      4",
        "linux/arm/v6,       linux/arm/v7,      -1",
        "linux/arm/v8,       linux/arm/v7,      2",
        "linux/ppc64le,      linux/ppc64le,     0",
        "linux/riscv64,      linux/riscv64/rva22, -1",
        "linux/amd64,        unknown/unknown,   -1",
        "unknown/unknown,    unknown/unknown,   -1",
    })
    void matchTable(String wanted, String candidate, int rank) {
        PlatformMatcher m = PlatformMatcher.of(Platform.parse(wanted));
        assertEquals(rank, m.rank(Platform.parse(candidate)).orElse(-1));
        assertEquals(rank >= 0, m.matches(Platform.parse(candidate)));
    }

    @Test
    void osVersionOnlyBreaksTies() {
        Platform wanted = new Platform("windows", "amd64", null, "10.0.20348.2227", null, null);
        PlatformMatcher m = PlatformMatcher.of(wanted);
        assertEquals(0, m.rank(new Platform("windows", "amd64", null, "10.0.20348.2227", null, null)).getAsInt());
        assertEquals(1, m.rank(new Platform("windows", "amd64", null, "10.0.17763.5458", null, null)).getAsInt());
    }

    @Test
    void picksFromDockerHubIndexSkippingAttestations() throws Exception {
        Index index = ImageDocuments.parseIndex(Fixtures.read("dockerhub-index.json")).value();
        assertEquals("1025", String.valueOf(pick(index, "linux/arm64").orElseThrow().size()));
        assertEquals("arm64v8", pick(index, "linux/aarch64").orElseThrow().annotation("com.docker.official-images.bashbrew.arch"));
        assertEquals("amd64", pick(index, "linux/amd64").orElseThrow().annotation("com.docker.official-images.bashbrew.arch"));
        assertEquals("arm32v7", pick(index, "linux/arm").orElseThrow().annotation("com.docker.official-images.bashbrew.arch"));
        assertEquals("arm32v7", pick(index, "linux/arm/v8").orElseThrow().annotation("com.docker.official-images.bashbrew.arch"));
        assertFalse(pick(index, "linux/arm/v6").isPresent(), "v6 cannot run the v7 image");
        assertFalse(pick(index, "linux/s390x").isPresent());
        assertFalse(pick(index, "linux/386").isPresent());
        assertFalse(pick(index, "unknown/unknown").isPresent(), "attestations are never picked");
    }

    @Test
    void prefersExactVariantOverFallback() throws Exception {
        Index list = ImageDocuments.parseIndex(Fixtures.read("docker-manifest-list.json")).value();
        Descriptor v7 = pick(list, "linux/arm/v7").orElseThrow();
        assertEquals("v7", v7.platform().variant());
        assertEquals("v6", pick(list, "linux/arm/v6").orElseThrow().platform().variant());
        assertEquals("v7", pick(list, "linux/arm/v8").orElseThrow().platform().variant());
        assertEquals("windows", pick(list, "windows/amd64").orElseThrow().platform().os());
        assertEquals("linux", pick(list, "linux/amd64").orElseThrow().platform().os());
    }

    @Test
    void firstCandidateWinsATie() {
        Descriptor a = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of(new byte[] {1}), 1).withPlatform(Platform.parse("linux/arm64"));
        Descriptor b = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of(new byte[] {2}), 1).withPlatform(Platform.parse("linux/arm64/v8"));
        Descriptor notAManifest = new Descriptor("application/vnd.example", Digest.of(new byte[] {3}), 1).withPlatform(Platform.parse("linux/arm64"));
        Descriptor noPlatform = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of(new byte[] {4}), 1);
        PlatformMatcher m = PlatformMatcher.of(Platform.parse("linux/arm64"));
        assertEquals(a, m.best(List.of(notAManifest, noPlatform, a, b)).orElseThrow());
        assertEquals(b, m.best(List.of(b, a)).orElseThrow());
        assertTrue(m.best(List.of(notAManifest, noPlatform)).isEmpty());
    }

    private static Optional<Descriptor> pick(Index index, String platform) {
        return PlatformMatcher.of(Platform.parse(platform)).best(index);
    }
}
