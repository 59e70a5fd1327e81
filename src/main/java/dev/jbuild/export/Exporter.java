package dev.jbuild.export;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;

/**
 * Writes a stored image out, and reads one in from an OCI image layout. The outputs of
 * {@code -o type=oci|docker|local|tar} and of {@code jbuild save}:
 *
 * <ul>
 *   <li>{@link #ociArchive}: a tar of an OCI image layout, read by skopeo ({@code oci-archive:}),
 *       umoci, containerd, {@code docker load} (25+), {@code podman load};</li>
 *   <li>{@link #dockerArchive}: the same plus Docker's {@code manifest.json} and
 *       {@code repositories}, which is what {@code docker save} writes since Docker 25 and what
 *       every {@code docker load} and {@code podman load} accepts;</li>
 *   <li>{@link #localDirectory}: the root filesystem unpacked into a directory;</li>
 *   <li>{@link #rootfsTar}: the root filesystem as one flat tar;</li>
 *   <li>{@link #importOciLayout}: the image of an OCI layout directory copied into the store
 *       ({@code --build-context name=oci-layout:///path:tag}).</li>
 * </ul>
 *
 * <p>Archives are deterministic: the same image and names give the same bytes (members sorted,
 * ids 0:0, modes 0644/0755, one mtime). They stream: no layer is held in memory. Every blob is
 * checked against its digest on the way out and on the way in.
 */
public final class Exporter {

    /** containerd's annotation for the full image name, which {@code docker save} also writes. */
    public static final String IMAGE_NAME_ANNOTATION = "io.containerd.image.name";

    private static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    private Exporter() {}

    /** {@link #ociArchive(Store, Descriptor, List, Instant, OutputStream)} with every mtime at the epoch. */
    public static void ociArchive(Store store, Descriptor manifestOrIndex, List<String> refNames, OutputStream out)
            throws IOException {
        ociArchive(store, manifestOrIndex, refNames, Instant.EPOCH, out);
    }

    /**
     * Writes an OCI image layout as a tar to {@code out} (left open): {@code oci-layout},
     * {@code index.json} and {@code blobs/}. For an index, every child manifest and its blobs are
     * included (all platforms).
     *
     * @param refNames names for the image (Docker syntax, normalised: {@code app:1} is
     *     {@code docker.io/library/app:1}); index.json gets one entry per name, annotated with
     *     {@code org.opencontainers.image.ref.name} = the tag (what {@code oci-archive:out.tar:TAG}
     *     selects) and {@code io.containerd.image.name} = the full name; no names, one plain entry
     * @param mtime modification time of every member: the epoch, or {@code SOURCE_DATE_EPOCH}
     */
    public static void ociArchive(Store store, Descriptor manifestOrIndex, List<String> refNames, Instant mtime,
            OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        ImageReader image = new ImageReader(store);
        List<ArchiveName> names = ArchiveName.parseAll(refNames);
        Descriptor root = withMediaType(image, manifestOrIndex);
        if (MediaTypes.isManifest(root.mediaType())) {
            root = withConfigPlatform(root, image.config(image.manifest(root)));
        }
        LayoutArchive archive = new LayoutArchive(store, mtime);
        image.blobs(root).forEach(archive::addBlob);
        archive.addFile("oci-layout", OCI_LAYOUT);
        archive.addFile("index.json", indexJson(root, names));
        archive.write(out);
    }

    /** {@link #dockerArchive(Store, Descriptor, List, Platform, Instant, OutputStream)} with mtimes at the epoch. */
    public static void dockerArchive(Store store, Descriptor manifestOrIndex, List<String> refNames, Platform platform,
            OutputStream out) throws IOException {
        dockerArchive(store, manifestOrIndex, refNames, platform, Instant.EPOCH, out);
    }

    /**
     * Writes what {@code docker save} writes since Docker 25: the OCI layout of one platform's
     * image plus {@code manifest.json} and {@code repositories}. Layers stay compressed (see
     * docs/images.md: every {@code docker load} since 1.10 and {@code podman load} decompress them).
     *
     * @param refNames tags, in Docker syntax; {@code RepoTags} gets their familiar form
     *     ({@code app:1}); digest-only references cannot be Docker tags and only name the OCI entry
     * @param platform the platform to take from an index (ignored for a manifest); null for the host's
     */
    public static void dockerArchive(Store store, Descriptor manifestOrIndex, List<String> refNames, Platform platform,
            Instant mtime, OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        ImageReader image = new ImageReader(store);
        List<ArchiveName> names = ArchiveName.parseAll(refNames);
        Descriptor chosen = image.platformManifest(withMediaType(image, manifestOrIndex),
                platform == null ? Platform.host() : platform);
        Manifest manifest = image.manifest(chosen);
        ImageConfig config = image.config(manifest);
        chosen = withConfigPlatform(chosen, config);
        LayoutArchive archive = new LayoutArchive(store, mtime);
        image.blobs(chosen).forEach(archive::addBlob);
        archive.addFile("oci-layout", OCI_LAYOUT);
        archive.addFile("index.json", indexJson(chosen, names));
        archive.addFile("manifest.json", DockerArchiveFiles.manifestJson(manifest, config, names));
        byte[] repositories = DockerArchiveFiles.repositories(config, names);
        if (repositories != null) {
            archive.addFile("repositories", repositories);
        }
        archive.write(out);
    }

    /**
     * The manifest of {@code platform} when {@code manifestOrIndex} is an index (nested indexes
     * followed, best compatible variant first), else the manifest itself.
     */
    public static Descriptor platformManifest(Store store, Descriptor manifestOrIndex, Platform platform)
            throws IOException {
        ImageReader image = new ImageReader(store);
        return image.platformManifest(withMediaType(image, manifestOrIndex), Objects.requireNonNull(platform, "platform"));
    }

    /**
     * Unpacks the image's root filesystem into {@code dest}: layers applied in order with their
     * whiteouts, every path confined to {@code dest}, each layer's digest and diff_id verified.
     * Every file belongs to the caller, root or not, as BuildKit's local exporter writes them; modes
     * (setuid and setgid included) and times are the image's.
     *
     * @param dest created when missing
     * @param overwrite whether a non-empty {@code dest} may be written into (BuildKit's
     *     behaviour: the tree is merged over what is there, same paths replaced, others kept);
     *     without it a non-empty {@code dest} is an error, so a typo cannot clobber a directory
     */
    public static UnpackResult localDirectory(Store store, Descriptor manifest, Path dest, boolean overwrite)
            throws IOException {
        return new DirectoryExport(new ImageReader(store), store).unpack(manifest, dest, overwrite);
    }

    /**
     * Writes the image's root filesystem as one tar: the merged tree of all layers, whiteouts
     * applied and not written, hard links kept as links, owners, modes and xattrs as the layers
     * say (also when not running as root: nothing is unpacked to disk). Entries are sorted; mtimes
     * are clamped to {@code sourceDateEpoch} when given.
     */
    public static void rootfsTar(Store store, Descriptor manifest, OutputStream out, Instant sourceDateEpoch)
            throws IOException {
        new RootfsTar(new ImageReader(store), store).write(manifest, out, sourceDateEpoch);
    }

    /**
     * Writes several images' root filesystems into one tar, each below its own directory (the map's keys,
     * such as {@code linux_amd64}; mode 0755, owned by root), as {@link #rootfsTar(Store, Descriptor,
     * OutputStream, Instant)} writes one. This is a multi-platform build's {@code -o type=tar}.
     */
    public static void rootfsTar(Store store, SortedMap<String, Descriptor> manifests, OutputStream out,
            Instant sourceDateEpoch) throws IOException {
        new RootfsTar(new ImageReader(store), store).write(manifests, out, sourceDateEpoch);
    }

    /**
     * Copies the image {@code reference} names in the OCI layout at {@code layoutDir} into the store
     * and returns its manifest's descriptor (never an index: one platform is chosen).
     *
     * @param reference a tag or full name matched against {@code org.opencontainers.image.ref.name}
     *     (and containerd's {@code io.containerd.image.name}), a digest ({@code sha256:…} or
     *     {@code @sha256:…}), or null/empty for the layout's only image
     * @param platform the platform to choose from an index; null for the host's
     */
    public static Descriptor importOciLayout(Store store, Path layoutDir, String reference, Platform platform)
            throws IOException {
        return new OciLayoutImport(store, layoutDir).importImage(reference, platform == null ? Platform.host() : platform);
    }

    /**
     * An index.json entry for one image carries its platform, from the config when the descriptor has none:
     * docker save and BuildKit's OCI exporter write it, and containerd's importer filters by it.
     */
    private static Descriptor withConfigPlatform(Descriptor manifest, ImageConfig config) {
        if (manifest.platform() != null || config.os() == null || config.architecture() == null) {
            return manifest;
        }
        return manifest.withPlatform(new Platform(config.os(), config.architecture(), config.variant()));
    }

    private static Descriptor withMediaType(ImageReader image, Descriptor descriptor) throws IOException {
        Objects.requireNonNull(descriptor, "manifestOrIndex");
        if (descriptor.mediaType() != null && !descriptor.mediaType().isEmpty()) {
            return descriptor;
        }
        ManifestOrIndex value = image.manifestOrIndex(descriptor).value();
        return descriptor.withMediaType(value.mediaTypeOrDefault());
    }

    private static byte[] indexJson(Descriptor root, List<ArchiveName> names) {
        Descriptor plain = root.withAnnotation(Descriptor.REF_NAME, null).withAnnotation(IMAGE_NAME_ANNOTATION, null);
        List<Descriptor> entries = new ArrayList<>();
        if (names.isEmpty()) {
            entries.add(plain);
        }
        for (ArchiveName name : names) {
            entries.add(plain.withAnnotation(IMAGE_NAME_ANNOTATION, name.fullName())
                    .withAnnotation(Descriptor.REF_NAME, name.tag()));
        }
        return ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX, entries)).bytes();
    }
}
