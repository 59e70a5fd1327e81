package dev.jbuild.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SLSA provenance predicates in the shape BuildKit writes (see its docs/attestations/slsa-definitions.md),
 * so that {@code docker buildx imagetools inspect --format '{{json .Provenance}}'} and other readers
 * of BuildKit's provenance find their fields. v0.2 is BuildKit's default; v1 with {@code version=v1}.
 *
 * <p>What BuildKit has no field for, who ran the build, goes in an extension under jbuild's own key
 * ({@link #INVOKER_KEY}) in the metadata: SLSA allows extension fields there, and readers ignore them.
 */
public final class Provenance {

    public static final String V02 = "v0.2";
    public static final String V1 = "v1";
    public static final String PREDICATE_V02 = "https://slsa.dev/provenance/v0.2";
    public static final String PREDICATE_V1 = "https://slsa.dev/provenance/v1";
    static final String BUILD_TYPE_V02 = "https://mobyproject.org/buildkit@v1";
    static final String BUILD_TYPE_V1 = "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md";
    static final String BUILDKIT_METADATA_V02 = "https://mobyproject.org/buildkit@v1#metadata";
    /** jbuild's extension: the invoker, jbuild's version and (mode=max) the steps. */
    public static final String INVOKER_KEY = "https://jbuild.dev/provenance@v1#invoker";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /**
     * The local sources every build reads (BuildKit's {@code locals}): the context and the Dockerfile. No
     * digest pins them, so, as in BuildKit, they make the materials incomplete and the build not hermetic.
     */
    private static final List<String> LOCALS = List.of("context", "dockerfile");

    private Provenance() {}

    public static String predicateType(String slsaVersion) {
        return V1.equals(slsaVersion) ? PREDICATE_V1 : PREDICATE_V02;
    }

    /** The predicate for {@code facts}, as a JSON tree in BuildKit's field order. */
    public static ObjectNode predicate(ProvenanceFacts facts) {
        return V1.equals(facts.slsaVersion()) ? v1(facts) : v02(facts);
    }

    private static ObjectNode v02(ProvenanceFacts facts) {
        ObjectNode predicate = JSON.objectNode();
        predicate.putObject("builder").put("id", builderId(facts));
        predicate.put("buildType", BUILD_TYPE_V02);
        predicate.set("materials", materials(facts));
        ObjectNode invocation = predicate.putObject("invocation");
        invocation.set("configSource", configSource(facts, "entryPoint"));
        invocation.set("parameters", request(facts));
        invocation.putObject("environment").put("platform", facts.builderPlatform());
        if (facts.max()) {
            predicate.set("buildConfig", buildConfig(facts));
        }
        ObjectNode metadata = predicate.putObject("metadata");
        metadata.put("buildInvocationID", facts.invocationId());
        metadata.put("buildStartedOn", time(facts.startedOn()));
        metadata.put("buildFinishedOn", time(facts.finishedOn()));
        ObjectNode completeness = metadata.putObject("completeness");
        completeness.put("parameters", completeRequest(facts));
        completeness.put("environment", true);
        completeness.put("materials", completeMaterials());
        metadata.put("reproducible", facts.reproducible());
        if (hermetic(facts)) {
            metadata.put("https://mobyproject.org/buildkit@v1#hermetic", true);
        }
        ObjectNode buildkit = buildkitMetadata(facts);
        if (buildkit != null) {
            metadata.set(BUILDKIT_METADATA_V02, buildkit);
        }
        metadata.set(INVOKER_KEY, invoker(facts));
        return predicate;
    }

    private static ObjectNode v1(ProvenanceFacts facts) {
        ObjectNode predicate = JSON.objectNode();
        ObjectNode definition = predicate.putObject("buildDefinition");
        definition.put("buildType", BUILD_TYPE_V1);
        ObjectNode external = definition.putObject("externalParameters");
        external.set("configSource", configSource(facts, "path"));
        external.set("request", request(facts));
        ObjectNode internal = definition.putObject("internalParameters");
        if (facts.max()) {
            internal.set("buildConfig", buildConfig(facts));
        }
        internal.put("builderPlatform", facts.builderPlatform());
        definition.set("resolvedDependencies", materials(facts));
        ObjectNode run = predicate.putObject("runDetails");
        run.putObject("builder").put("id", builderId(facts));
        ObjectNode metadata = run.putObject("metadata");
        metadata.put("invocationID", facts.invocationId());
        metadata.put("startedOn", time(facts.startedOn()));
        metadata.put("finishedOn", time(facts.finishedOn()));
        ObjectNode buildkit = buildkitMetadata(facts);
        if (buildkit != null) {
            metadata.set("buildkit_metadata", buildkit);
        }
        if (hermetic(facts)) {
            metadata.put("buildkit_hermetic", true);
        }
        ObjectNode completeness = metadata.putObject("buildkit_completeness");
        completeness.put("request", completeRequest(facts));
        completeness.put("resolvedDependencies", completeMaterials());
        if (facts.reproducible()) {
            metadata.put("buildkit_reproducible", true); // BuildKit's v1 omits it when false (omitempty), as hermetic
        }
        metadata.set("jbuild_invoker", invoker(facts));
        return predicate;
    }

    /** Whether the materials name everything the build read: never while it reads local sources, as in BuildKit. */
    private static boolean completeMaterials() {
        return LOCALS.isEmpty();
    }

    /**
     * BuildKit's rule: hermetic when the materials are complete and no RUN step had network access. A false
     * value is left out, as BuildKit leaves it out ({@code omitempty}).
     */
    private static boolean hermetic(ProvenanceFacts facts) {
        return completeMaterials() && !facts.network();
    }

    private static String builderId(ProvenanceFacts facts) {
        if (facts.builderId() != null) {
            return facts.builderId();
        }
        return facts.invoker().ciUrl() == null ? "" : facts.invoker().ciUrl();
    }

    private static ArrayNode materials(ProvenanceFacts facts) {
        ArrayNode list = JSON.arrayNode();
        for (Material material : facts.materials()) {
            ObjectNode entry = list.addObject();
            entry.put("uri", material.uri());
            ObjectNode digest = entry.putObject("digest");
            material.digest().forEach(digest::put);
        }
        return list;
    }

    private static ObjectNode configSource(ProvenanceFacts facts, String pathField) {
        ObjectNode source = JSON.objectNode();
        source.put(pathField, facts.dockerfileName());
        return source;
    }

    /**
     * Whether the request parameters are all there: BuildKit says false only when mode=min dropped a
     * {@code build-arg:} or {@code label:} argument (the secrets and ssh it also drops do not count).
     */
    private static boolean completeRequest(ProvenanceFacts facts) {
        return facts.max() || facts.args().keySet().stream().noneMatch(Provenance::droppedInMin);
    }

    private static boolean droppedInMin(String key) {
        return key.startsWith("build-arg:") || key.startsWith("label:");
    }

    /** BuildKit's request parameters; mode=min drops build-arg and label values, secrets and ssh, as BuildKit does. */
    private static ObjectNode request(ProvenanceFacts facts) {
        ObjectNode parameters = JSON.objectNode();
        parameters.put("frontend", "dockerfile.v0");
        Map<String, String> args = new TreeMap<>();
        facts.args().forEach((key, value) -> {
            if (facts.max() || !droppedInMin(key)) {
                args.put(key, value);
            }
        });
        if (!args.isEmpty()) {
            ObjectNode node = parameters.putObject("args");
            args.forEach(node::put);
        }
        if (facts.max()) {
            mounted(parameters, "secrets", facts.secrets());
            mounted(parameters, "ssh", facts.ssh());
        }
        ArrayNode locals = parameters.putArray("locals");
        LOCALS.forEach(name -> locals.addObject().put("name", name));
        return parameters;
    }

    /** BuildKit's secret or SSH list: sorted by id, {@code optional} only when true, and no field for an empty list. */
    private static void mounted(ObjectNode parameters, String field, List<ProvenanceFacts.Mounted> mounted) {
        if (mounted.isEmpty()) {
            return;
        }
        ArrayNode list = parameters.putArray(field);
        mounted.stream().sorted(java.util.Comparator.comparing(ProvenanceFacts.Mounted::id)).forEach(m -> {
            ObjectNode entry = list.addObject().put("id", m.id());
            if (m.optional()) {
                entry.put("optional", true);
            }
        });
    }

    /** mode=max: every step of the image's stages, with the layer it made. */
    private static ObjectNode buildConfig(ProvenanceFacts facts) {
        ObjectNode config = JSON.objectNode();
        ArrayNode steps = config.putArray("steps");
        int index = 0;
        for (ProvenanceFacts.BuildStep step : facts.steps()) {
            ObjectNode node = steps.addObject();
            node.put("id", "step" + index++);
            node.put("stage", step.stage());
            node.put("instruction", step.instruction());
            node.put("location", step.location());
            if (step.layer() != null) {
                node.put("layer", step.layer().toString());
            }
            node.put("cached", step.cached());
        }
        return config;
    }

    /** BuildKit's metadata extension: with mode=max the Dockerfile itself, as its source infos carry it. */
    private static ObjectNode buildkitMetadata(ProvenanceFacts facts) {
        if (!facts.max() || facts.dockerfile() == null) {
            return null;
        }
        ObjectNode metadata = JSON.objectNode();
        ArrayNode infos = metadata.putObject("source").putArray("infos");
        ObjectNode info = infos.addObject();
        info.put("filename", facts.dockerfileName());
        info.put("language", "Dockerfile");
        info.put("data", Base64.getEncoder().encodeToString(facts.dockerfile()));
        info.put("digest", facts.dockerfileDigest().toString());
        return metadata;
    }

    private static JsonNode invoker(ProvenanceFacts facts) {
        ObjectNode node = JSON.objectNode();
        node.put("user", facts.invoker().user());
        if (facts.invoker().uid() >= 0) {
            node.put("uid", facts.invoker().uid());
        }
        node.put("host", facts.invoker().host());
        if (facts.invoker().ciUrl() != null) {
            node.put("ciJobUrl", facts.invoker().ciUrl());
        }
        node.put("builder", "jbuild");
        node.put("builderVersion", facts.builderVersion());
        node.put("dockerfileDigest", facts.dockerfileDigest().toString());
        return node;
    }

    private static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
