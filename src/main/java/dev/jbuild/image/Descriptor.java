package dev.jbuild.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A reference to content by digest: the OCI content descriptor, also used for Docker schema 2.
 * JSON field order is the image-spec's (mediaType, digest, size, urls, annotations, data,
 * platform, artifactType); empty optional fields are left out.
 *
 * @param data the content itself, embedded (base64 in JSON); null when not embedded
 * @param platform only on index entries
 * @param unknownFields fields this record does not model, kept so re-serialisation loses nothing
 */
@JsonPropertyOrder({"mediaType", "digest", "size", "urls", "annotations", "data", "platform", "artifactType"})
@JsonInclude(Include.NON_NULL)
public record Descriptor(
        @JsonProperty("mediaType") @JsonInclude(Include.NON_EMPTY) String mediaType,
        @JsonProperty("digest") Digest digest,
        @JsonProperty("size") long size,
        @JsonProperty("urls") @JsonInclude(Include.NON_EMPTY) List<String> urls,
        @JsonProperty("annotations") @JsonInclude(Include.NON_EMPTY) Map<String, String> annotations,
        @JsonProperty("data") @JsonInclude(Include.NON_EMPTY) byte[] data,
        @JsonProperty("platform") Platform platform,
        @JsonProperty("artifactType") @JsonInclude(Include.NON_EMPTY) String artifactType,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

    /** The annotation that names a tag in an OCI image layout's index.json. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    public Descriptor {
        if (digest == null) {
            throw new IllegalArgumentException("descriptor has no digest");
        }
        if (size < 0) {
            throw new IllegalArgumentException("descriptor of " + digest + " has a negative size");
        }
        urls = Json.copy(urls);
        annotations = Json.copy(annotations);
        data = data == null ? null : data.clone();
        unknownFields = Json.unknown(unknownFields);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null, null, null, null);
    }

    /** The descriptor of {@code bytes}, digested with sha256. */
    public static Descriptor of(String mediaType, byte[] bytes) {
        return new Descriptor(mediaType, Digest.of(bytes), bytes.length);
    }

    @Override
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    /** An annotation's value, or null. */
    public String annotation(String key) {
        return annotations == null ? null : annotations.get(key);
    }

    public Descriptor withMediaType(String newMediaType) {
        return new Descriptor(newMediaType, digest, size, urls, annotations, data, platform, artifactType, unknownFields);
    }

    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, urls, newAnnotations, data, platform, artifactType, unknownFields);
    }

    /** This descriptor with one annotation set; a null value removes it. */
    public Descriptor withAnnotation(String key, String value) {
        Map<String, String> next = annotations == null ? new LinkedHashMap<>() : new LinkedHashMap<>(annotations);
        if (value == null) {
            next.remove(key);
        } else {
            next.put(key, value);
        }
        return withAnnotations(next.isEmpty() ? null : next);
    }

    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, urls, annotations, data, newPlatform, artifactType, unknownFields);
    }

    public Descriptor withArtifactType(String newArtifactType) {
        return new Descriptor(mediaType, digest, size, urls, annotations, data, platform, newArtifactType, unknownFields);
    }

    public Descriptor withUrls(List<String> newUrls) {
        return new Descriptor(mediaType, digest, size, newUrls, annotations, data, platform, artifactType, unknownFields);
    }

    public Descriptor withData(byte[] newData) {
        return new Descriptor(mediaType, digest, size, urls, annotations, newData, platform, artifactType, unknownFields);
    }

    // Records compare arrays by identity; compare the embedded data by content instead.
    @Override
    public boolean equals(Object o) {
        return o instanceof Descriptor d
                && size == d.size
                && Objects.equals(mediaType, d.mediaType)
                && Objects.equals(digest, d.digest)
                && Objects.equals(urls, d.urls)
                && Objects.equals(annotations, d.annotations)
                && Arrays.equals(data, d.data)
                && Objects.equals(platform, d.platform)
                && Objects.equals(artifactType, d.artifactType)
                && unknownFields.equals(d.unknownFields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mediaType, digest, size, urls, annotations, Arrays.hashCode(data), platform, artifactType, unknownFields);
    }

    @Override
    public String toString() {
        return "Descriptor[" + mediaType + " " + digest + " " + size + " bytes"
                + (platform == null ? "" : " " + platform)
                + (annotations == null || annotations.isEmpty() ? "" : " " + annotations) + "]";
    }
}
