package dev.jbuild.engine.api;

import dev.jbuild.attestation.Invoker;
import java.util.List;
import java.util.Map;

/**
 * The attestations a build attaches to its image ({@code --provenance}, {@code --sbom}, {@code --attest}),
 * and what the caller knows about the invocation that only it can know. Stored in BuildKit's layout (see
 * {@link dev.jbuild.attestation.AttestationLayout}).
 *
 * @param provenance the SLSA provenance to make, or null for none
 * @param sbom       the SBOM to make, or null for none
 * @param invocation the Dockerfile as given, the request's arguments and who ran it; null only when both
 *                   attestations are off
 * @param ociReferrers also make each pushed attestation manifest an OCI 1.1 referrer of its image: listed by
 *                   the registry's referrers API, or in the {@code sha256-<hex>} tag schema's index where the
 *                   registry has no such API ({@code --oci-referrers})
 */
public record AttestationOptions(ProvenanceOptions provenance, SbomOptions sbom, Invocation invocation, boolean ociReferrers) {

    public static final AttestationOptions NONE = new AttestationOptions(null, null, null, false);

    /**
     * @param max          {@code mode=max} (default {@code mode=min})
     * @param version      {@code v0.2} (BuildKit's default) or {@code v1}
     * @param builderId    {@code builder-id=}, or null for the CI job's URL (or empty)
     * @param reproducible {@code reproducible=true}
     */
    public record ProvenanceOptions(boolean max, String version, String builderId, boolean reproducible) {}

    /**
     * @param scanStages {@code scan-stage=true}: also list what the stages the image was built from contain
     * @param format     {@code spdx} (SPDX 2.3 JSON, as BuildKit's scanner) or {@code cyclonedx} (CycloneDX 1.6 JSON)
     */
    public record SbomOptions(boolean scanStages, String format) {}

    /**
     * @param dockerfileName the Dockerfile's name as given
     * @param dockerfile     its bytes
     * @param args           the request as BuildKit's frontend gets it: {@code build-arg:NAME}, {@code label:NAME},
     *                       {@code target}; mode=min keeps only the last
     * @param invoker        who ran the build
     * @param subjectNames   the image's names ({@code -t}), the statements' subjects; empty for {@code _}
     */
    public record Invocation(String dockerfileName, byte[] dockerfile, Map<String, String> args, Invoker invoker,
            List<String> subjectNames) {
        public Invocation {
            args = Map.copyOf(args);
            subjectNames = List.copyOf(subjectNames);
        }
    }

    public boolean any() {
        return provenance != null || sbom != null;
    }
}
