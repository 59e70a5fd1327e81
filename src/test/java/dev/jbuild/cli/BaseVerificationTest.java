package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base image whose config's {@code rootfs.diff_ids} do not describe its layers is refused, as
 * containerd refuses it when unpacking: whether the build only indexes the layer (no RUN) or
 * unpacks it (RUN), whether the image comes from a registry or an OCI layout, and also when the
 * claimed diff_id is one the store already knows from an honest image.
 */
@Integration
class BaseVerificationTest {

    /** A digest no layer has. */
    private static final String WRONG = "sha256:" + "0123456789abcdef".repeat(4);

    private static LocalRegistry registry;

    @TempDir
    Path temp;

    Path context;

    @BeforeAll
    static void startRegistry() {
        registry = LocalRegistry.startPlain();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("hello.txt"), "hello\n");
    }

    private CliTest.Result build(String store, String dockerfile, String... extra) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        List<String> args = new ArrayList<>(List.of("build", "--root", temp.resolve(store).toString(),
                "-o", "type=tar,dest=" + temp.resolve(store + ".tar")));
        args.addAll(List.of(extra));
        args.add(context.toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    private static void assertRefused(CliTest.Result result, BusyboxImage crafted, String image, String claimed) {
        assertEquals(1, result.exitCode(), result.err());
        String err = result.err();
        assertTrue(err.contains("layer 1 of 1 (" + crafted.layerDigest() + ")"), "names the layer: " + err);
        assertTrue(err.contains("of image " + image), "names the image: " + err);
        assertTrue(err.contains(crafted.diffId()) && err.contains(claimed), "names both digests: " + err);
        assertTrue(err.contains("rootfs.diff_ids[0]"), err);
    }

    @Test
    void aRegistryBaseWithAWrongDiffIdIsRefusedWithAndWithoutRun() throws Exception {
        BusyboxImage crafted = BusyboxImage.writeClaimingDiffIds(temp.resolve("crafted"), "lie", 0, List.of(WRONG));
        String reference = crafted.pushTo(registry, "crafted/wrong-diff-id", "1");

        CliTest.Result indexed = build("store", "FROM " + reference + "\nCOPY hello.txt /hello.txt\n");
        assertRefused(indexed, crafted, reference, WRONG);
        assertTrue(!Files.exists(temp.resolve("store.tar")), "no image was written");

        CliTest.Result run = build("store-run", "FROM " + reference + "\nRUN echo ran > /x\n");
        assertRefused(run, crafted, reference, WRONG);
        assertTrue(!Files.exists(temp.resolve("store-run.tar")), "no image was written");
    }

    @Test
    void anOciLayoutBaseWithAWrongDiffIdIsRefused() throws Exception {
        BusyboxImage crafted = BusyboxImage.writeClaimingDiffIds(temp.resolve("crafted"), "lie", 0, List.of(WRONG));
        CliTest.Result result = build("store", "FROM base\nCOPY hello.txt /hello.txt\n",
                "--build-context", "base=oci-layout://" + crafted.layoutDirectory() + ":lie");
        assertRefused(result, crafted, "base", WRONG);
    }

    /**
     * A manifest whose layer size is not its blob's is refused both when the layout's blob is copied and when the
     * store already holds a blob of that digest (a stored blob counts as there only at the descriptor's size).
     */
    @Test
    void aLayerSizeThatIsNotTheBlobsIsRefused() throws Exception {
        BusyboxImage honest = BusyboxImage.write(temp.resolve("honest-size"), "1");
        BusyboxImage claiming = BusyboxImage.writeClaimingLayerSize(temp.resolve("claiming"), "big", 1_000_000_000_000L);
        String dockerfile = "FROM base\nCOPY hello.txt /hello.txt\n";
        CliTest.Result fresh = build("size-fresh", dockerfile, "--build-context",
                "base=oci-layout://" + claiming.layoutDirectory() + ":big");
        assertEquals(1, fresh.exitCode(), fresh.err());
        assertTrue(fresh.err().contains("the manifest gives layer " + claiming.layerDigest() + " a size of 1000000000000 bytes"),
                fresh.err());
        assertFalse(fresh.err().contains("no space left"), fresh.err());

        assertEquals(0, build("size-known", dockerfile, "--build-context",
                "base=oci-layout://" + honest.layoutDirectory() + ":1").exitCode());
        CliTest.Result known = build("size-known", dockerfile, "--build-context",
                "base=oci-layout://" + claiming.layoutDirectory() + ":big");
        assertEquals(1, known.exitCode(), known.err());
        // The store's blob of that digest is not taken for the claimed one: its size is compared on import too.
        assertTrue(known.err().contains("the manifest gives layer " + claiming.layerDigest() + " a size of 1000000000000 bytes"),
                known.err());
    }

    /** A layer whose media type is no layer type (an artifact's blob, an HTML page) is refused by name, as BuildKit refuses to unpack it. */
    @Test
    void aLayerOfAnUnknownMediaTypeIsRefused() throws Exception {
        BusyboxImage html = BusyboxImage.writeWithLayerMediaType(temp.resolve("html"), "html", "text/html");
        CliTest.Result result = build("html", "FROM base\nCOPY hello.txt /hello.txt\n", "--build-context",
                "base=oci-layout://" + html.layoutDirectory() + ":html");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("layer 1 of 1 (" + html.layerDigest() + ") of image base has the media type text/html,"
                + " which is not a layer's"), result.err());
    }

    /** An OCI manifest lists OCI layer types: a Docker base's layer keeps its bytes and digest, relabelled (as BuildKit's OCI exporter). */
    @Test
    void aDockerBasesLayersAreListedWithOciMediaTypes() throws Exception {
        BusyboxImage docker = BusyboxImage.writeWithLayerMediaType(temp.resolve("docker"), "docker",
                "application/vnd.docker.image.rootfs.diff.tar.gzip");
        Path oci = temp.resolve("docker-base.tar");
        CliTest.Result result = build("docker-base", "FROM base\nCOPY hello.txt /hello.txt\n", "--build-context",
                "base=oci-layout://" + docker.layoutDirectory() + ":docker", "-o", "type=oci,dest=" + oci);
        assertEquals(0, result.exitCode(), result.err());
        JsonNode manifest = new ObjectMapper().readTree(ExternalTool.command("skopeo", "inspect", "--raw",
                "oci-archive:" + oci).runSuccessfully().stdout());
        assertEquals(docker.layerDigest(), manifest.at("/layers/0/digest").asText());
        List<String> types = new ArrayList<>();
        manifest.get("layers").forEach(layer -> types.add(layer.get("mediaType").asText()));
        assertEquals(List.of("application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+gzip"), types);
    }

    @Test
    void moreDiffIdsThanLayersIsRefused() throws Exception {
        BusyboxImage crafted = BusyboxImage.writeClaimingDiffIds(temp.resolve("crafted"), "lie", 0,
                List.of(BusyboxImage.write(temp.resolve("honest"), "1").diffId(), WRONG));
        String reference = crafted.pushTo(registry, "crafted/two-diff-ids", "1");
        CliTest.Result result = build("store", "FROM " + reference + "\nCOPY hello.txt /hello.txt\n");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("2 diff_ids") && result.err().contains("1 layer")
                && result.err().contains(reference), result.err());
    }

    /**
     * The store already has the index (and the unpacked tree) of an honest layer; an image whose
     * other blob claims that layer's diff_id must not borrow them.
     */
    @Test
    void aBlobClaimingTheDiffIdOfAKnownLayerIsRefused() throws Exception {
        BusyboxImage honest = BusyboxImage.write(temp.resolve("honest"), "1");
        String honestReference = honest.pushTo(registry, "crafted/honest", "1");
        BusyboxImage crafted = BusyboxImage.writeClaimingDiffIds(temp.resolve("crafted"), "lie", 1024,
                List.of(honest.diffId()));
        String reference = crafted.pushTo(registry, "crafted/borrowed-diff-id", "1");

        CliTest.Result first = build("store", "FROM " + honestReference + "\nRUN echo ok > /ok\n");
        assertEquals(0, first.exitCode(), first.err());

        CliTest.Result indexed = build("store", "FROM " + reference + "\nCOPY hello.txt /hello.txt\n");
        assertRefused(indexed, crafted, reference, honest.diffId());
        CliTest.Result run = build("store", "FROM " + reference + "\nRUN echo ok > /ok\n");
        assertRefused(run, crafted, reference, honest.diffId());
    }
}
