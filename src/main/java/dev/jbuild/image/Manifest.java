package dev.jbuild.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * An image manifest, OCI or Docker schema 2: a config and an ordered list of layers (base
 * first). JSON field order is the image-spec's (schemaVersion, mediaType, artifactType, config,
 * layers, subject, annotations); {@code layers} is always written, as Go writes it.
 *
 * @param unknownFields fields this record does not model, kept so re-serialisation loses nothing
 */
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations"})
@JsonInclude(Include.NON_NULL)
public record Manifest(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") @JsonInclude(Include.NON_EMPTY) String mediaType,
        @JsonProperty("artifactType") @JsonInclude(Include.NON_EMPTY) String artifactType,
        @JsonProperty("config") Descriptor config,
        @JsonProperty("layers") List<Descriptor> layers,
        @JsonProperty("subject") Descriptor subject,
        @JsonProperty("annotations") @JsonInclude(Include.NON_EMPTY) Map<String, String> annotations,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields)
        implements ManifestOrIndex {

    public Manifest {
        layers = Json.descriptors(layers, "layers");
        annotations = Json.copy(annotations);
        unknownFields = Json.unknown(unknownFields);
    }

    /** A new manifest of the given type ({@link MediaTypes#OCI_MANIFEST} or {@link MediaTypes#DOCKER_MANIFEST}). */
    public Manifest(String mediaType, Descriptor config, List<Descriptor> layers) {
        this(2, mediaType, null, config, layers, null, null, null);
    }

    @Override
    public String mediaTypeOrDefault() {
        return mediaType == null || mediaType.isEmpty() ? MediaTypes.OCI_MANIFEST : mediaType;
    }

    public Manifest withConfig(Descriptor newConfig) {
        return new Manifest(schemaVersion, mediaType, artifactType, newConfig, layers, subject, annotations, unknownFields);
    }

    public Manifest withLayers(List<Descriptor> newLayers) {
        return new Manifest(schemaVersion, mediaType, artifactType, config, newLayers, subject, annotations, unknownFields);
    }

    public Manifest withAnnotations(Map<String, String> newAnnotations) {
        return new Manifest(schemaVersion, mediaType, artifactType, config, layers, subject, newAnnotations, unknownFields);
    }

    public Manifest withSubject(Descriptor newSubject) {
        return new Manifest(schemaVersion, mediaType, artifactType, config, layers, newSubject, annotations, unknownFields);
    }

    public Manifest withArtifactType(String newArtifactType) {
        return new Manifest(schemaVersion, mediaType, newArtifactType, config, layers, subject, annotations, unknownFields);
    }
}
