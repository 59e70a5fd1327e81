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
 * An index of manifests: an OCI image index, a Docker manifest list, or the {@code index.json} of
 * an OCI image layout. JSON field order is the image-spec's (schemaVersion, mediaType,
 * artifactType, manifests, subject, annotations); {@code manifests} is always written.
 *
 * @param unknownFields fields this record does not model, kept so re-serialisation loses nothing
 */
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations"})
@JsonInclude(Include.NON_NULL)
public record Index(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") @JsonInclude(Include.NON_EMPTY) String mediaType,
        @JsonProperty("artifactType") @JsonInclude(Include.NON_EMPTY) String artifactType,
        @JsonProperty("manifests") List<Descriptor> manifests,
        @JsonProperty("subject") Descriptor subject,
        @JsonProperty("annotations") @JsonInclude(Include.NON_EMPTY) Map<String, String> annotations,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields)
        implements ManifestOrIndex {

    public Index {
        manifests = Json.descriptors(manifests, "manifests");
        annotations = Json.copy(annotations);
        unknownFields = Json.unknown(unknownFields);
    }

    /** A new index of the given type ({@link MediaTypes#OCI_INDEX} or {@link MediaTypes#DOCKER_MANIFEST_LIST}). */
    public Index(String mediaType, List<Descriptor> manifests) {
        this(2, mediaType, null, manifests, null, null, null);
    }

    @Override
    public String mediaTypeOrDefault() {
        return mediaType == null || mediaType.isEmpty() ? MediaTypes.OCI_INDEX : mediaType;
    }

    public Index withManifests(List<Descriptor> newManifests) {
        return new Index(schemaVersion, mediaType, artifactType, newManifests, subject, annotations, unknownFields);
    }

    public Index withAnnotations(Map<String, String> newAnnotations) {
        return new Index(schemaVersion, mediaType, artifactType, manifests, subject, newAnnotations, unknownFields);
    }

    public Index withSubject(Descriptor newSubject) {
        return new Index(schemaVersion, mediaType, artifactType, manifests, newSubject, annotations, unknownFields);
    }
}
