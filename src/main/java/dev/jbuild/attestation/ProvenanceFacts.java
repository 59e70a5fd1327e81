package dev.jbuild.attestation;

import dev.jbuild.image.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything a provenance predicate says about one platform's build, gathered by the engine. Secret
 * values never get here: only the ids of the secrets and SSH agents that RUN mounts used.
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
 * @param secrets         the secrets the build's RUN steps mounted (BuildKit's list: from the exec ops' mounts,
 *                        not the {@code --secret} flags), sorted by id
 * @param ssh             the SSH agents they mounted, likewise
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
        List<Mounted> secrets,
        List<Mounted> ssh,
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

    /**
     * A secret or SSH agent that a RUN mounted, by id (never its value).
     *
     * @param id       the mount's id ({@code default} for an SSH mount without one)
     * @param optional true unless a mount of it said {@code required=true} (BuildKit's rule: one required use
     *                 makes it required)
     */
    public record Mounted(String id, boolean optional) {}

    public ProvenanceFacts {
        args = Map.copyOf(args);
        secrets = List.copyOf(secrets);
        ssh = List.copyOf(ssh);
        materials = List.copyOf(materials);
        steps = List.copyOf(steps);
    }
}
