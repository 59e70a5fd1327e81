package dev.jbuild.layer;

/**
 * What writing (or extracting) a layer blob measured.
 *
 * @param diffId           sha256 of the uncompressed tar ("sha256:…"), the config's rootfs.diff_ids entry
 * @param digest           sha256 of the blob as stored/transferred (equal to diffId when uncompressed)
 * @param compressedSize   blob size in bytes
 * @param uncompressedSize tar size in bytes
 * @param compression      codec of the blob
 */
public record LayerResult(String diffId, String digest, long compressedSize, long uncompressedSize,
        Compression compression) {

    /** The OCI media type for the layer descriptor. */
    public String mediaType() {
        return compression.mediaType();
    }
}
