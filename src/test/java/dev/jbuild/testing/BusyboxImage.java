package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * A busybox base image, made offline from Debian's {@code busybox-static}, written as an OCI image
 * layout directory: one gzip layer (see {@link BusyboxRootfs} for its content — {@code /bin/busybox}
 * and applet links, root/daemon/nobody and {@code app} 1000:1000, {@code /tmp} 1777,
 * {@code /home/app}), a config for the host platform with {@code PATH} and {@code Cmd ["sh"]}, a
 * manifest, and {@code index.json} naming it with {@code org.opencontainers.image.ref.name = tag}.
 *
 * <p>The same busybox binary always gives the same digests. Several tags may share one layout
 * directory; writing a tag again replaces it.
 *
 * <pre>{@code
 * BusyboxImage image = BusyboxImage.write(tempDir.resolve("layout"), "1");
 * String ref = image.pushTo(registry);          // 127.0.0.1:PORT/busybox:1
 * }</pre>
 */
public final class BusyboxImage {

    public static final String REPOSITORY = "busybox";
    public static final List<String> APPLETS = BusyboxRootfs.APPLETS;
    public static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    public static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";
    public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path layoutDirectory;
    private final String tag;
    private final String architecture;
    private final String diffId;
    private final String layerDigest;
    private final String configDigest;
    private final String manifestDigest;
    private final long manifestSize;

    private BusyboxImage(Path layoutDirectory, String tag, String architecture, String diffId, String layerDigest,
            String configDigest, String manifestDigest, long manifestSize) {
        this.layoutDirectory = layoutDirectory;
        this.tag = tag;
        this.architecture = architecture;
        this.diffId = diffId;
        this.layerDigest = layerDigest;
        this.configDigest = configDigest;
        this.manifestDigest = manifestDigest;
        this.manifestSize = manifestSize;
    }

    /** Writes (or adds to) the OCI layout at {@code layoutDirectory} the busybox image tagged {@code tag}. */
    public static BusyboxImage write(Path layoutDirectory, String tag) {
        return write(layoutDirectory, tag, hostArchitecture(), BusyboxRootfs.tar());
    }

    /**
     * As {@link #write(Path, String)}, for linux/arm64/v8 with Debian's arm64 {@code busybox-static}, which
     * scripts/test.sh fetches and names in {@value #ARM64_BUSYBOX_ENV}.
     */
    public static BusyboxImage writeArm64(Path layoutDirectory, String tag) {
        return write(layoutDirectory, tag, "arm64", BusyboxRootfs.tar(arm64Busybox()));
    }

    /** scripts/test.sh's cache of the arm64 busybox binary (the variable's default is that script's path). */
    public static final String ARM64_BUSYBOX_ENV = "JBUILD_TEST_ARM64_BUSYBOX";

    private static byte[] arm64Busybox() {
        String configured = System.getenv(ARM64_BUSYBOX_ENV);
        Path binary = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache/jbuild-test/busybox-static-arm64/bin/busybox");
        if (!Files.isRegularFile(binary)) {
            fail("the arm64 busybox-static binary is missing at " + binary + ": run ./scripts/test.sh, which fetches it");
        }
        try {
            byte[] bytes = Files.readAllBytes(binary);
            // ELF, 64-bit, little endian, e_machine 183 (AArch64): what the emulation tests rely on.
            if (bytes.length < 20 || bytes[0] != 0x7f || bytes[4] != 2 || bytes[5] != 1 || bytes[18] != (byte) 183) {
                fail(binary + " is not an arm64 ELF program");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A crafted image for tests of base-image verification: the busybox layer, with {@code extraPadding}
     * zero bytes after the tar's end (the same files, another diff_id when not 0), and a config whose
     * {@code rootfs.diff_ids} are {@code claimedDiffIds} rather than the layer's real one. {@link #diffId()}
     * is the real diff_id.
     */
    public static BusyboxImage writeClaimingDiffIds(Path layoutDirectory, String tag, int extraPadding,
            List<String> claimedDiffIds) {
        byte[] tar = BusyboxRootfs.tar();
        byte[] padded = Arrays.copyOf(tar, tar.length + extraPadding);
        return write(layoutDirectory, tag, hostArchitecture(), padded, claimedDiffIds);
    }

    /** The busybox image with a character device {@code /dev/null} in its layer. */
    public static BusyboxImage writeWithDevice(Path layoutDirectory, String tag) {
        return write(layoutDirectory, tag, hostArchitecture(), BusyboxRootfs.tarWithDevice());
    }

    /** The busybox image whose manifest gives its layer {@code claimedSize} bytes instead of the blob's size. */
    public static BusyboxImage writeClaimingLayerSize(Path layoutDirectory, String tag, long claimedSize) {
        return write(layoutDirectory, tag, hostArchitecture(), BusyboxRootfs.tar(), null, claimedSize, LAYER_MEDIA_TYPE);
    }

    /** The busybox image whose manifest gives its layer the media type {@code mediaType}. */
    public static BusyboxImage writeWithLayerMediaType(Path layoutDirectory, String tag, String mediaType) {
        return write(layoutDirectory, tag, hostArchitecture(), BusyboxRootfs.tar(), null, -1, mediaType);
    }

    private static BusyboxImage write(Path layoutDirectory, String tag, String architecture, byte[] tar) {
        return write(layoutDirectory, tag, architecture, tar, null);
    }

    private static BusyboxImage write(Path layoutDirectory, String tag, String architecture, byte[] tar,
            List<String> claimedDiffIds) {
        return write(layoutDirectory, tag, architecture, tar, claimedDiffIds, -1, LAYER_MEDIA_TYPE);
    }

    /**
     * @param claimedSize the layer size the manifest gives, or -1 for the blob's own
     * @param layerMediaType the layer's media type in the manifest
     */
    private static BusyboxImage write(Path layoutDirectory, String tag, String architecture, byte[] tar,
            List<String> claimedDiffIds, long claimedSize, String layerMediaType) {
        try {
            Files.createDirectories(layoutDirectory.resolve("blobs/sha256"));
            byte[] layer = gzip(tar);
            String diffId = sha256(tar);
            String layerDigest = writeBlob(layoutDirectory, layer);
            byte[] config = config(architecture, claimedDiffIds == null ? List.of(diffId) : claimedDiffIds);
            String configDigest = writeBlob(layoutDirectory, config);
            byte[] manifest = manifest(configDigest, config.length, layerDigest, claimedSize < 0 ? layer.length : claimedSize,
                    layerMediaType);
            String manifestDigest = writeBlob(layoutDirectory, manifest);
            Files.writeString(layoutDirectory.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            writeIndex(layoutDirectory, tag, MANIFEST_MEDIA_TYPE, architecture, manifestDigest, manifest.length);
            return new BusyboxImage(layoutDirectory, tag, architecture, diffId, layerDigest, configDigest,
                    manifestDigest, manifest.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The OCI architecture of this JVM's machine ({@code amd64}, {@code arm64}…), like busybox-static's. */
    public static String hostArchitecture() {
        String arch = System.getProperty("os.arch");
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "amd64";
            case "aarch64":
                return "arm64";
            case "x86":
            case "i386":
            case "i686":
                return "386";
            case "arm":
                return "arm";
            default:
                return arch; // ppc64le, s390x, riscv64 are spelt alike
        }
    }

    private static byte[] config(String architecture, List<String> diffIds) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.put("created", "2020-01-01T00:00:00Z");
        config.put("architecture", architecture);
        config.put("os", "linux");
        if (architecture.equals("arm64")) {
            config.put("variant", "v8");
        }
        ObjectNode runtime = config.putObject("config");
        runtime.putArray("Env").add(PATH_ENV);
        runtime.putArray("Cmd").add("sh");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode listed = rootfs.putArray("diff_ids");
        diffIds.forEach(listed::add);
        ObjectNode history = config.putArray("history").addObject();
        history.put("created", "2020-01-01T00:00:00Z");
        history.put("created_by", "jbuild tests: busybox from Debian's busybox-static");
        return JSON.writeValueAsBytes(config);
    }

    private static byte[] manifest(String configDigest, long configSize, String layerDigest, long layerSize,
            String layerMediaType) throws IOException {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST_MEDIA_TYPE);
        ObjectNode config = manifest.putObject("config");
        config.put("mediaType", CONFIG_MEDIA_TYPE);
        config.put("digest", configDigest);
        config.put("size", configSize);
        ObjectNode layer = manifest.putArray("layers").addObject();
        layer.put("mediaType", layerMediaType);
        layer.put("digest", layerDigest);
        layer.put("size", layerSize);
        return JSON.writeValueAsBytes(manifest);
    }

    /**
     * Tags, in {@code images}' common layout, an image index of their manifests (one image for several
     * platforms, as {@code --platform linux/amd64,linux/arm64} reads it).
     */
    public static void writeMultiPlatform(String tag, BusyboxImage... images) {
        Path layout = images[0].layoutDirectory;
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX_MEDIA_TYPE);
        ArrayNode manifests = index.putArray("manifests");
        for (BusyboxImage image : images) {
            if (!image.layoutDirectory.equals(layout)) {
                throw new IllegalArgumentException("the images must share one layout directory");
            }
            ObjectNode descriptor = manifests.addObject();
            descriptor.put("mediaType", MANIFEST_MEDIA_TYPE);
            descriptor.put("digest", image.manifestDigest);
            descriptor.put("size", image.manifestSize);
            platform(descriptor, image.architecture);
        }
        try {
            byte[] bytes = JSON.writeValueAsBytes(index);
            writeIndex(layout, tag, INDEX_MEDIA_TYPE, null, writeBlob(layout, bytes), bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void platform(ObjectNode descriptor, String architecture) {
        ObjectNode platform = descriptor.putObject("platform");
        platform.put("architecture", architecture);
        platform.put("os", "linux");
        if (architecture.equals("arm64")) {
            platform.put("variant", "v8");
        }
    }

    /**
     * Adds a manifest (or index) to index.json under {@code tag}, replacing an earlier one of that tag;
     * {@code architecture} is the manifest's platform, or null for an index.
     */
    private static void writeIndex(Path layout, String tag, String mediaType, String architecture,
            String digest, long size) throws IOException {
        Path indexFile = layout.resolve("index.json");
        List<JsonNode> kept = new ArrayList<>();
        if (Files.exists(indexFile)) {
            for (JsonNode descriptor : JSON.readTree(indexFile.toFile()).path("manifests")) {
                if (!tag.equals(descriptor.path("annotations").path(REF_NAME_ANNOTATION).asText(null))) {
                    kept.add(descriptor);
                }
            }
        }
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX_MEDIA_TYPE);
        ArrayNode manifests = index.putArray("manifests");
        manifests.addAll(kept);
        ObjectNode descriptor = manifests.addObject();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", digest);
        descriptor.put("size", size);
        descriptor.putObject("annotations").put(REF_NAME_ANNOTATION, tag);
        if (architecture != null) {
            platform(descriptor, architecture);
        }
        Files.write(indexFile, JSON.writeValueAsBytes(index));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        GzipParameters parameters = new GzipParameters();
        parameters.setModificationTime(0); // no timestamp in the header: same bytes on every run
        parameters.setOS(GzipParameters.OS.UNKNOWN);
        parameters.setCompressionLevel(6);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.length / 2);
        try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(bytes, parameters)) {
            gzip.write(data);
        }
        return bytes.toByteArray();
    }

    private static String writeBlob(Path layout, byte[] content) throws IOException {
        String digest = sha256(content);
        Path blob = layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        if (!Files.exists(blob)) {
            Files.write(blob, content);
        }
        return digest;
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies this image with skopeo into {@code registry} as {@code busybox:TAG}, handling the
     * registry's TLS and auth variants; returns the reference ({@code 127.0.0.1:PORT/busybox:TAG}).
     */
    public String pushTo(LocalRegistry registry) {
        return pushTo(registry, REPOSITORY, tag);
    }

    /** As {@link #pushTo(LocalRegistry)}, to {@code repository:tag} of the registry. */
    public String pushTo(LocalRegistry registry, String repository, String destinationTag) {
        String reference = registry.reference(repository, destinationTag);
        List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet",
                // The manifest digest in the registry must be this layout's: no recompression, no conversion.
                "--preserve-digests"));
        command.addAll(registry.skopeoOptions("dest-"));
        command.add(ociReference());
        command.add("docker://" + reference);
        ExternalTool.Result result = ExternalTool.command(command).run();
        if (!result.succeeded()) {
            fail("push of the busybox image failed: " + result.describe()
                    + registry.logForFailure());
        }
        return reference;
    }

    /** {@code oci:LAYOUT:TAG}, this image as skopeo, podman and umoci name it. */
    public String ociReference() {
        return "oci:" + layoutDirectory + ":" + tag;
    }

    /** {@code LAYOUT:TAG}, the form {@code umoci --image} takes. */
    public String umociReference() {
        return layoutDirectory + ":" + tag;
    }

    public Path layoutDirectory() {
        return layoutDirectory;
    }

    public String tag() {
        return tag;
    }

    public String architecture() {
        return architecture;
    }

    /** {@code sha256:…} of the uncompressed layer, as in the config's {@code rootfs.diff_ids}. */
    public String diffId() {
        return diffId;
    }

    /** {@code sha256:…} of the gzip layer blob. */
    public String layerDigest() {
        return layerDigest;
    }

    public String configDigest() {
        return configDigest;
    }

    /** {@code sha256:…} of the manifest: the image's digest, also in a registry after {@link #pushTo}. */
    public String manifestDigest() {
        return manifestDigest;
    }

    public long manifestSize() {
        return manifestSize;
    }

    /** The blob file of a digest in this layout. */
    public Path blob(String digest) {
        return layoutDirectory.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    @Override
    public String toString() {
        return "BusyboxImage[" + ociReference() + " " + manifestDigest + "]";
    }
}
