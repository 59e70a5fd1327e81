package dev.jbuild.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DocumentReader} is a shortcut past the mapper: where it reads a document at all, it must
 * give the records the mapper gives, keep the bytes (so the digest), and it must read the
 * documents jbuild writes itself (or the shortcut saves nothing).
 */
class DocumentReaderTest {

    private static final Digest A = Digest.of("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.of("b".getBytes(StandardCharsets.UTF_8));

    /** Every document the mapper reads either gives the same value here or is declined. */
    private static void sameAsTheMapper(byte[] bytes) throws Exception {
        ManifestOrIndex fast = DocumentReader.read(bytes);
        if (fast != null) {
            Document<ManifestOrIndex> reference = ImageDocuments.parseWithMapper(bytes, null);
            assertEquals(reference.value(), fast, new String(bytes, StandardCharsets.UTF_8));
            Document<ManifestOrIndex> read = ImageDocuments.parseManifestOrIndex(bytes);
            assertArrayEquals(bytes, read.bytes());
            assertEquals(reference.digest(), read.digest());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-manifest-list.json", "docker-manifest.json", "dockerhub-index.json",
        "oci-index-canonical.json", "oci-manifest-canonical.json"})
    void fixturesReadAsTheMapperReadsThem(String fixture) throws Exception {
        sameAsTheMapper(Fixtures.read(fixture));
    }

    /** What the store and builds write: indexes with tags and platforms, manifests with annotations. */
    private static List<byte[]> documentsJbuildWrites() {
        Platform arm = new Platform("linux", "arm64", "v8", "1.0", List.of("sse4"), null);
        Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, A, 1234);
        Descriptor layer = new Descriptor(MediaTypes.OCI_LAYER_TAR_GZIP, B, 5_000_000_000L)
                .withAnnotation("org.opencontainers.image.title", "<layer & \"x\" \u2028 é 😀>");
        Descriptor tagged = new Descriptor(MediaTypes.OCI_MANIFEST, A, 405).withAnnotation(Descriptor.REF_NAME, "docker.io/library/app:1");
        List<byte[]> documents = new ArrayList<>();
        documents.add(ImageDocuments.encode(new Manifest(MediaTypes.OCI_MANIFEST, config, List.of(layer))).bytes());
        documents.add(ImageDocuments.encode(new Manifest(MediaTypes.OCI_MANIFEST, config, List.of())).bytes());
        documents.add(ImageDocuments.encode(new Manifest(MediaTypes.DOCKER_MANIFEST, config, List.of(layer, layer))
                .withAnnotations(Map.of("b", "2", "a", "1")).withSubject(tagged).withArtifactType("application/x")).bytes());
        documents.add(ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX, List.of())).bytes());
        documents.add(ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX, List.of(tagged, tagged.withAnnotation(Descriptor.REF_NAME, "b:2")))).bytes());
        documents.add(ImageDocuments.encode(new Index(MediaTypes.DOCKER_MANIFEST_LIST,
                List.of(tagged.withPlatform(arm), tagged.withPlatform(new Platform("linux", "amd64")).withUrls(List.of("https://x/y")))))
                .bytes());
        return documents;
    }

    @Test
    void documentsJbuildWritesAreReadWithoutTheMapper() throws Exception {
        for (byte[] bytes : documentsJbuildWrites()) {
            assertNotNull(DocumentReader.read(bytes), new String(bytes, StandardCharsets.UTF_8));
            sameAsTheMapper(bytes);
        }
    }

    /** Other writers' spellings: whitespace, field order, escapes; read alike or declined. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{ \"mediaType\" : \"application/vnd.oci.image.index.v1+json\", \"schemaVersion\" : 2, \"manifests\" : [ ] }",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\",\"size\":2},\"layers\":[],\"annotations\":{\"k\":\"\\u003cv\\u003e \\\" \\ud83d\\ude00\"}}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"\",\"digest\":\"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\",\"size\":0,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\",\"os.features\":[]}}]}",
    })
    void otherSpellingsReadAlikeOrAreDeclined(String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertNotNull(DocumentReader.read(bytes), text);
        sameAsTheMapper(bytes);
    }

    /** What the reader leaves to the mapper: the mapper's reading, or its error, stands. */
    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "[]",
        "not json",
        "{\"schemaVersion\":2,\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"\",\"manifests\":[]}",
        "{\"schemaVersion\":1,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]} trailing",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[],\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":null}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[],\"x-extension\":1}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}",
        "{\"schemaVersion\":\"2\",\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
        "{\"schemaVersion\":2.0,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:abc\",\"size\":1}]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\",\"size\":-1}]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\",\"size\":99999999999999999999}]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\",\"size\":1,\"data\":\"YQ==\"}]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[],\"annotations\":{\"a\":null}}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[],\"annotations\":{\"a\":1}}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"config\":{},\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+json\",\"layers\":[]}",
    })
    void unusualDocumentsAreLeftToTheMapper(String text) throws Exception {
        assertNull(DocumentReader.read(text.getBytes(StandardCharsets.UTF_8)), text);
    }

    @Test
    void aSchema1ContentTypeIsStillRefused() {
        byte[] bytes = documentsJbuildWrites().get(0);
        InvalidDocumentException e = assertThrows(InvalidDocumentException.class,
                () -> ImageDocuments.parseManifestOrIndex(bytes, MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST));
        assertEquals(true, e.getMessage().contains("schema 1"), e.getMessage());
    }
}
