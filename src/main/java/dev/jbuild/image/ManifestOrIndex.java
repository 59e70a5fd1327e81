package dev.jbuild.image;

import java.util.Map;

/**
 * What a registry's {@code /manifests/} endpoint returns: an image manifest or an index of them.
 * Both kinds carry a schema version, an optional media type, an optional subject (the referrers
 * API) and annotations.
 */
public sealed interface ManifestOrIndex permits Manifest, Index {

    int schemaVersion();

    /** The {@code mediaType} field as written; null when the document leaves it out. */
    String mediaType();

    String artifactType();

    Descriptor subject();

    Map<String, String> annotations();

    /**
     * The media type to put in a descriptor of this document: its own field, or the OCI type of
     * its kind when the field is absent (the image-spec makes it optional).
     */
    String mediaTypeOrDefault();
}
