package dev.jbuild.export;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two files {@code docker save} writes beside the OCI layout since Docker 25, and the only
 * ones older Docker reads: {@code manifest.json} (config, tags, layer files, in order) and the
 * legacy {@code repositories} ({@code {"app":{"1.0":"<top layer id>"}}}).
 *
 * <p>Layer files are the compressed blobs of the OCI layout, not uncompressed copies: Docker's
 * loader has decompressed them since 1.10 ({@code compression.DecompressStream} in
 * {@code image/tarexport/load.go}) and containers/image's {@code docker-archive:} reader, used by
 * {@code podman load}, does too ({@code AutoDecompress} in {@code docker/internal/tarfile/src.go}).
 * Keeping one copy keeps the archive small and the OCI and Docker views of it consistent.
 */
final class DockerArchiveFiles {

    private DockerArchiveFiles() {}

    /** One element of manifest.json, fields spelled and ordered as Docker writes them. */
    @JsonPropertyOrder({"Config", "RepoTags", "Layers"})
    record Item(
            @JsonProperty("Config") String config,
            @JsonProperty("RepoTags") List<String> repoTags,
            @JsonProperty("Layers") List<String> layers) {}

    static byte[] manifestJson(Manifest manifest, ImageConfig config, List<ArchiveName> names) throws ExportException {
        List<Digest> diffIds = config.rootfs() == null || config.rootfs().diffIds() == null
                ? List.of() : config.rootfs().diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            // docker load and podman load both reject this; say so before writing a useless archive.
            throw new ExportException("image config lists " + diffIds.size() + " diff_ids for "
                    + manifest.layers().size() + " layers; Docker cannot load it");
        }
        List<String> layers = new ArrayList<>();
        for (Descriptor layer : manifest.layers()) {
            layers.add(LayoutArchive.blobPath(layer));
        }
        List<String> repoTags = new ArrayList<>();
        for (ArchiveName name : names) {
            if (name.familiar() != null) {
                repoTags.add(name.familiar());
            }
        }
        Item item = new Item(LayoutArchive.blobPath(manifest.config()), repoTags, layers);
        return ImageDocuments.canonicalBytes(List.of(item));
    }

    /**
     * The legacy repositories file, or null when there is nothing to put in it (no tag, or no
     * layer to point at). Like Docker 25, the value is the top layer's diff_id hex: pre-1.10 Docker
     * needed a v1 image directory of that name, which no current tool writes or needs.
     */
    static byte[] repositories(ImageConfig config, List<ArchiveName> names) {
        List<Digest> diffIds = config.rootfs() == null || config.rootfs().diffIds() == null
                ? List.of() : config.rootfs().diffIds();
        if (diffIds.isEmpty()) {
            return null;
        }
        String top = diffIds.get(diffIds.size() - 1).hex();
        Map<String, Map<String, String>> repositories = new TreeMap<>();
        for (ArchiveName name : names) {
            if (name.tag() != null) {
                repositories.computeIfAbsent(name.repository(), r -> new TreeMap<>()).put(name.tag(), top);
            }
        }
        return repositories.isEmpty() ? null : ImageDocuments.canonicalBytes(repositories);
    }
}
