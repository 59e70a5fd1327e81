package dev.jbuild.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.image.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The predicate's fields against what BuildKit writes for the same build. */
class ProvenanceTest {

    private static final byte[] DOCKERFILE = "FROM scratch\n".getBytes(StandardCharsets.UTF_8);

    static ProvenanceFacts facts(String version, boolean max, boolean network, Map<String, String> args) {
        return new ProvenanceFacts(version, max, null, new Invoker("alice", 1000, "build-7", null), "1.0",
                "Dockerfile", Digest.of(DOCKERFILE), DOCKERFILE, args, List.of(), List.of(), "linux/amd64", List.of(),
                "inv", Instant.EPOCH, Instant.EPOCH, false, network, List.of());
    }

    @Test
    void aBuildOfALocalContextIsNeverHermeticAndBuildKitThenLeavesTheFieldOut() {
        for (boolean network : new boolean[] {false, true}) {
            JsonNode v02 = Provenance.predicate(facts(Provenance.V02, false, network, Map.of()));
            assertFalse(v02.at("/metadata/completeness/materials").asBoolean(true), v02::toString);
            assertFalse(v02.path("metadata").has("https://mobyproject.org/buildkit@v1#hermetic"), v02::toString);
            JsonNode v1 = Provenance.predicate(facts(Provenance.V1, false, network, Map.of()));
            assertFalse(v1.at("/runDetails/metadata/buildkit_completeness/resolvedDependencies").asBoolean(true), v1::toString);
            assertFalse(v1.at("/runDetails/metadata").has("buildkit_hermetic"), v1::toString);
            assertEquals("[{\"name\":\"context\"},{\"name\":\"dockerfile\"}]",
                    v02.at("/invocation/parameters/locals").toString());
        }
    }

    /** v0.2's {@code reproducible} is always written; v1's {@code buildkit_reproducible} only when true, as BuildKit's. */
    @Test
    void reproducibleIsInV1OnlyWhenTrue() {
        ProvenanceFacts plain = facts(Provenance.V1, false, false, Map.of());
        assertFalse(Provenance.predicate(plain).at("/runDetails/metadata").has("buildkit_reproducible"));
        assertTrue(Provenance.predicate(facts(Provenance.V02, false, false, Map.of())).at("/metadata").has("reproducible"));
        ProvenanceFacts claimed = new ProvenanceFacts(plain.slsaVersion(), plain.max(), plain.builderId(), plain.invoker(),
                plain.builderVersion(), plain.dockerfileName(), plain.dockerfileDigest(), plain.dockerfile(), plain.args(),
                plain.secrets(), plain.ssh(), plain.builderPlatform(), plain.materials(), plain.invocationId(),
                plain.startedOn(), plain.finishedOn(), true, plain.network(), plain.steps());
        assertTrue(Provenance.predicate(claimed).at("/runDetails/metadata/buildkit_reproducible").asBoolean());
    }

    @Test
    void theParametersAreIncompleteOnlyWhenModeMinDroppedABuildArgOrALabel() {
        for (String version : List.of(Provenance.V02, Provenance.V1)) {
            String field = Provenance.V1.equals(version) ? "/runDetails/metadata/buildkit_completeness/request"
                    : "/metadata/completeness/parameters";
            JsonNode none = Provenance.predicate(facts(version, false, false, Map.of()));
            assertTrue(none.at(field).asBoolean(false), "mode=min without build args drops nothing: " + none.at(field));
            JsonNode target = Provenance.predicate(facts(version, false, false, Map.of("target", "app")));
            assertTrue(target.at(field).asBoolean(false), "target is kept");
            for (String key : List.of("build-arg:TOKEN", "label:team")) {
                JsonNode min = Provenance.predicate(facts(version, false, false, Map.of(key, "v", "target", "app")));
                assertFalse(min.at(field).asBoolean(true), key + " dropped in mode=min");
                assertEquals("{\"target\":\"app\"}", (Provenance.V1.equals(version)
                        ? min.at("/buildDefinition/externalParameters/request/args")
                        : min.at("/invocation/parameters/args")).toString());
                JsonNode max = Provenance.predicate(facts(version, true, false, Map.of(key, "v")));
                assertTrue(max.at(field).asBoolean(false), key + " kept in mode=max");
            }
        }
    }
}
