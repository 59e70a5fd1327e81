package dev.jbuild.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
