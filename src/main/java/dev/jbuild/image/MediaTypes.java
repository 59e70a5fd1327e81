package dev.jbuild.image;

import java.util.List;
import java.util.Optional;

/**
 * The media types of OCI and Docker image documents and layers, and predicates over them. Docker
 * schema 1 types are listed only so that callers can recognise and reject them with a clear
 * message: nothing in jbuild reads or writes schema 1.
 */
public final class MediaTypes {

    private MediaTypes() {}

    // OCI image-spec.
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    /** Deprecated by image-spec 1.1 but still found in Windows images: layers not to be pushed. */
    public static final String OCI_FOREIGN_LAYER_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_FOREIGN_LAYER_TAR_GZIP =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_FOREIGN_LAYER_TAR_ZSTD =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    /** The config (or layer) of an artifact that has none: the two bytes {@code {}}. */
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json";

    // Docker image manifest v2, schema 2.
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** Uncompressed Docker layer; Docker never pushes it, containerd and others accept it. */
    public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_FOREIGN_LAYER_TAR_GZIP =
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    // Docker image manifest v2, schema 1: recognised only to be rejected.
    public static final String DOCKER_SCHEMA1_MANIFEST = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED_MANIFEST =
            "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /**
     * The manifest types jbuild can read, in the order of preference to send in an HTTP
     * {@code Accept} header when fetching a manifest by tag.
     */
    public static final List<String> ACCEPTED_MANIFESTS =
            List.of(OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

    /** Layer compression, as far as the media type tells. */
    public enum Compression {
        NONE,
        GZIP,
        ZSTD
    }

    /** An image manifest (not an index): OCI or Docker schema 2. */
    public static boolean isManifest(String mediaType) {
        return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }

    /** An index of manifests: OCI index or Docker manifest list. */
    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    public static boolean isConfig(String mediaType) {
        return OCI_CONFIG.equals(mediaType) || DOCKER_CONFIG.equals(mediaType);
    }

    /** Docker schema 1, signed or not. */
    public static boolean isSchema1(String mediaType) {
        return DOCKER_SCHEMA1_MANIFEST.equals(mediaType) || DOCKER_SCHEMA1_SIGNED_MANIFEST.equals(mediaType);
    }

    /** A filesystem layer of an image, distributable or foreign. */
    public static boolean isLayer(String mediaType) {
        return layerCompression(mediaType).isPresent();
    }

    /** Layers that registries are not asked to store; they are fetched from the descriptor's urls. */
    public static boolean isForeignLayer(String mediaType) {
        return OCI_FOREIGN_LAYER_TAR.equals(mediaType)
                || OCI_FOREIGN_LAYER_TAR_GZIP.equals(mediaType)
                || OCI_FOREIGN_LAYER_TAR_ZSTD.equals(mediaType)
                || DOCKER_FOREIGN_LAYER_TAR_GZIP.equals(mediaType);
    }

    /**
     * The OCI media type of a layer of media type {@code mediaType}: Docker's layer types become their OCI
     * equals (the bytes are the same), as BuildKit's OCI exporter writes a base's layers; anything else is
     * returned as it is.
     */
    public static String ociLayerType(String mediaType) {
        if (mediaType == null) {
            return null;
        }
        return switch (mediaType) {
            case DOCKER_LAYER_TAR_GZIP -> OCI_LAYER_TAR_GZIP;
            case DOCKER_LAYER_TAR -> OCI_LAYER_TAR;
            case DOCKER_FOREIGN_LAYER_TAR_GZIP -> OCI_FOREIGN_LAYER_TAR_GZIP;
            default -> mediaType;
        };
    }

    /** The compression of a layer media type; empty when the type is not a known layer type. */
    public static Optional<Compression> layerCompression(String mediaType) {
        if (mediaType == null) {
            return Optional.empty();
        }
        switch (mediaType) {
            case OCI_LAYER_TAR:
            case OCI_FOREIGN_LAYER_TAR:
            case DOCKER_LAYER_TAR:
                return Optional.of(Compression.NONE);
            case OCI_LAYER_TAR_GZIP:
            case OCI_FOREIGN_LAYER_TAR_GZIP:
            case DOCKER_LAYER_TAR_GZIP:
            case DOCKER_FOREIGN_LAYER_TAR_GZIP:
                return Optional.of(Compression.GZIP);
            case OCI_LAYER_TAR_ZSTD:
            case OCI_FOREIGN_LAYER_TAR_ZSTD:
                return Optional.of(Compression.ZSTD);
            default:
                return Optional.empty();
        }
    }
}
