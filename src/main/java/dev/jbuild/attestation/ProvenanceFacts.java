package dev.jbuild.attestation;

import dev.jbuild.image.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything a provenance predicate says about one platform's build, gathered by the engine. Secret
 * values never get here: only the ids of {@code --secret} and {@code --ssh}.
 *
 * @param slsaVersion     {@link Provenance#V02} or {@link Provenance#V1}
 * @param max             {@code mode=max}: also the build arguments' values, secret and ssh ids, the
 *                        Dockerfile and every step with its layer
 * @param builderId       {@code builder-id=}, else the CI job URL, else empty (as BuildKit)
 * @param invoker         who ran the build and where
 * @param builderVersion  jbuild's version
 * @param dockerfileName  the Dockerfile's name as given ({@code Dockerfile}, {@code ci/build.Dockerfile})
 * @param dockerfileDigest sha256 of the Dockerfile's bytes
 * @param dockerfile      the Dockerfile's bytes (written only with {@code max})
 * @param args            the build's request as BuildKit's frontend receives it: {@code build-arg:NAME},
 *                        {@code label:NAME}, {@code target}, {@code platform}…
 * @param secretIds       {@code --secret} ids
 * @param sshIds          {@code --ssh} ids
 * @param builderPlatform the platform of the machine that built
 * @param materials       what the build read from outside, pinned by digest
 * @param invocationId    one id for all platforms of one build
 * @param startedOn       the build's start
 * @param finishedOn      when this platform's image was committed
 * @param reproducible    {@code reproducible=true}: the user says the result is byte-for-byte reproducible
 * @param network         whether any RUN step had network access (hermetic needs none, and complete materials too)
 * @param steps           the steps of the stages the image needs, in order (written only with {@code max})
 */
public record ProvenanceFacts(
        String slsaVersion,
        boolean max,
        String builderId,
        Invoker invoker,
        String builderVersion,
        String dockerfileName,
        Digest dockerfileDigest,
        byte[] dockerfile,
        Map<String, String> args,
        List<String> secretIds,
        List<String> sshIds,
        String builderPlatform,
        List<Material> materials,
        String invocationId,
        Instant startedOn,
        Instant finishedOn,
        boolean reproducible,
        boolean network,
        List<BuildStep> steps) {

    /**
     * One executed or cached step.
     *
     * @param stage       the stage's name or index
     * @param instruction the instruction as written
     * @param location    {@code Dockerfile:LINE}
     * @param layer       the digest of the layer it made, or null for none
     * @param cached      whether the build cache answered it
     */
    public record BuildStep(String stage, String instruction, String location, Digest layer, boolean cached) {}

    public ProvenanceFacts {
        args = Map.copyOf(args);
        secretIds = List.copyOf(secretIds);
        sshIds = List.copyOf(sshIds);
        materials = List.copyOf(materials);
        steps = List.copyOf(steps);
    }
}
