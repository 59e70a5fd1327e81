package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.packageurl.PackageURL;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both documents, from a tree with packages of several kinds: SPDX checked field by field against 2.3, CycloneDX by its schema. */
class SbomWritersTest {

    private static final Pattern SPDX_ID = Pattern.compile("SPDXRef-[A-Za-z0-9.-]+");
    private static final Pattern CREATED = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    private static final SbomDocumentInfo INFO = new SbomDocumentInfo("registry.example/app:1",
            "sha256:" + "ab".repeat(32), Instant.parse("2026-03-04T05:06:07.890Z"), "0.1.0");

    @TempDir
    Path root;

    @BeforeEach
    void tree() throws IOException {
        write("lib/apk/db/installed", ApkCatalogerTest.INSTALLED);
        write("etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n");
        write("app/node_modules/@types/node/package.json", "{\"name\":\"@types/node\",\"version\":\"20.1.0\",\"license\":\"MIT\"}");
        write("app/node_modules/left-pad/package.json",
                "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"license\":\"WTFPL\",\"author\":\"azer\"}");
        write("usr/lib/python3.12/site-packages/Flask_Thing-2.0.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: Flask_Thing\nVersion: 2.0\nLicense: BSD License with extras\n"
                        + "Classifier: License :: OSI Approved :: BSD License\n\nlong description\n");
        // the same npm package twice, for the dedup and SPDXID uniqueness
        write("other/node_modules/left-pad/package.json", "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"license\":\"WTFPL\"}");
    }

    private void write(String path, String content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void spdxHasEveryFieldSpdx23RequiresAndNothingDangles() throws Exception {
        SbomContents contents = Sboms.scan(RootFiles.directory(root));
        JsonNode doc = new ObjectMapper().readTree(Sboms.write(contents, SbomFormat.SPDX_JSON, INFO));
        assertEquals("SPDX-2.3", doc.path("spdxVersion").asText());
        assertEquals("CC0-1.0", doc.path("dataLicense").asText());
        assertEquals("SPDXRef-DOCUMENT", doc.path("SPDXID").asText());
        assertEquals(INFO.name(), doc.path("name").asText());
        URI namespace = URI.create(doc.path("documentNamespace").asText());
        assertTrue(namespace.isAbsolute() && namespace.getFragment() == null, namespace.toString());
        assertTrue(namespace.toString().contains("ab".repeat(32)), namespace.toString());
        assertEquals("2026-03-04T05:06:07Z", doc.path("creationInfo").path("created").asText());
        assertTrue(CREATED.matcher(doc.path("creationInfo").path("created").asText()).matches());
        List<String> creators = new ArrayList<>();
        doc.path("creationInfo").path("creators").forEach(c -> creators.add(c.asText()));
        assertTrue(creators.contains("Tool: jbuild-0.1.0"), creators.toString());
        assertTrue(creators.stream().allMatch(c -> c.matches("(Tool|Organization|Person): .+")), creators.toString());

        Set<String> extracted = new HashSet<>();
        for (JsonNode e : doc.path("hasExtractedLicensingInfos")) {
            assertTrue(e.path("licenseId").asText().matches("LicenseRef-[A-Za-z0-9.-]+"), e.toString());
            assertFalse(e.path("extractedText").asText().isEmpty(), e.toString());
            assertTrue(extracted.add(e.path("licenseId").asText()), "unique " + e);
        }
        Set<String> ids = new HashSet<>();
        Set<String> purls = new HashSet<>();
        for (JsonNode p : doc.path("packages")) {
            String id = p.path("SPDXID").asText();
            assertTrue(SPDX_ID.matcher(id).matches(), id);
            assertTrue(ids.add(id), "unique SPDXID " + id);
            assertFalse(p.path("name").asText().isEmpty(), p.toString());
            assertEquals("NOASSERTION", p.path("downloadLocation").asText(), p.toString());
            assertTrue(p.has("filesAnalyzed") && !p.path("filesAnalyzed").asBoolean(), p.toString());
            String declared = p.path("licenseDeclared").asText();
            for (String token : declared.replace("(", " ").replace(")", " ").trim().split("\\s+")) {
                if (token.startsWith("LicenseRef-")) {
                    assertTrue(extracted.contains(token), token + " is defined in hasExtractedLicensingInfos");
                }
            }
            for (JsonNode ref : p.path("externalRefs")) {
                assertEquals("PACKAGE-MANAGER", ref.path("referenceCategory").asText());
                assertEquals("purl", ref.path("referenceType").asText());
                purls.add(new PackageURL(ref.path("referenceLocator").asText()).canonicalize());
            }
        }
        assertEquals(contents.packages().size() + 1, ids.size(), "the root package and one per package");
        for (SbomPackage p : contents.packages()) {
            assertTrue(purls.contains(p.purl()), p.purl());
        }
        int contains = 0;
        boolean describes = false;
        for (JsonNode r : doc.path("relationships")) {
            String from = r.path("spdxElementId").asText();
            String to = r.path("relatedSpdxElement").asText();
            assertTrue(from.equals("SPDXRef-DOCUMENT") || ids.contains(from), r.toString());
            assertTrue(ids.contains(to), r.toString());
            describes |= r.path("relationshipType").asText().equals("DESCRIBES") && from.equals("SPDXRef-DOCUMENT");
            contains += r.path("relationshipType").asText().equals("CONTAINS") ? 1 : 0;
        }
        assertTrue(describes, "the document describes its root package");
        assertEquals(contents.packages().size(), contains);

        // licenses: an SPDX id stays, any other text is a LicenseRef holding the text
        JsonNode leftPad = find(doc, "left-pad");
        assertEquals("WTFPL", leftPad.path("licenseDeclared").asText());
        JsonNode flask = find(doc, "Flask_Thing");
        assertTrue(flask.path("licenseDeclared").asText().startsWith("LicenseRef-"), flask.toString());
        assertTrue(doc.path("hasExtractedLicensingInfos").toString().contains("BSD License with extras"));
    }

    private static JsonNode find(JsonNode doc, String name) {
        for (JsonNode p : doc.path("packages")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError(name + " not in " + doc);
    }

    @Test
    void theSameTreeGivesTheSameBytesWhateverTheWalkOrder() throws Exception {
        RootFiles files = RootFiles.directory(root);
        byte[] first = Sboms.write(Sboms.scan(files), SbomFormat.SPDX_JSON, INFO);
        byte[] firstCdx = Sboms.write(Sboms.scan(files), SbomFormat.CYCLONEDX_JSON, INFO);
        for (long seed = 1; seed <= 3; seed++) {
            RootFiles shuffled = shuffled(files, seed);
            assertArrayEquals(first, Sboms.write(Sboms.scan(shuffled), SbomFormat.SPDX_JSON, INFO));
            assertArrayEquals(firstCdx, Sboms.write(Sboms.scan(shuffled), SbomFormat.CYCLONEDX_JSON, INFO));
        }
        SbomDocumentInfo other = new SbomDocumentInfo(INFO.name(), "sha256:" + "cd".repeat(32), INFO.created(), "0.1.0");
        JsonNode a = new ObjectMapper().readTree(first);
        JsonNode b = new ObjectMapper().readTree(Sboms.write(Sboms.scan(files), SbomFormat.SPDX_JSON, other));
        assertNotEquals(a.path("documentNamespace"), b.path("documentNamespace"), "another subject, another namespace");
    }

    /** The same tree, its entries walked in another order. */
    private static RootFiles shuffled(RootFiles files, long seed) {
        return new RootFiles() {
            @Override
            public void walk(Visitor visitor) throws IOException {
                List<Entry> entries = new ArrayList<>();
                files.walk(entries::add);
                Collections.shuffle(entries, new Random(seed));
                for (Entry e : entries) {
                    visitor.visit(e);
                }
            }

            @Override
            public InputStream open(String path) throws IOException {
                return files.open(path);
            }
        };
    }

    @Test
    void cycloneDxValidatesAgainstTheSchemaAndParsesBack() throws Exception {
        SbomContents contents = Sboms.scan(RootFiles.directory(root));
        byte[] json = Sboms.write(contents, SbomFormat.CYCLONEDX_JSON, INFO);
        JsonParser parser = new JsonParser();
        List<ParseException> errors = parser.validate(json, Version.VERSION_16);
        assertEquals(List.of(), errors, new String(json, StandardCharsets.UTF_8));
        Bom bom = parser.parse(json);
        assertEquals("1.6", bom.getSpecVersion());
        assertEquals(INFO.name(), bom.getMetadata().getComponent().getName());
        assertEquals(Component.Type.CONTAINER, bom.getMetadata().getComponent().getType());
        assertEquals(INFO.created(), bom.getMetadata().getTimestamp().toInstant().plusMillis(890));
        List<String> purls = bom.getComponents().stream().map(Component::getPurl).sorted().toList();
        assertEquals(contents.packages().stream().map(SbomPackage::purl).sorted().toList(), purls);
        Set<String> refs = new HashSet<>();
        bom.getComponents().forEach(c -> assertTrue(refs.add(c.getBomRef()), "unique bom-ref " + c.getBomRef()));
        Component leftPad = bom.getComponents().stream().filter(c -> c.getName().equals("left-pad")).findFirst().orElseThrow();
        assertEquals("WTFPL", leftPad.getLicenses().getLicenses().get(0).getId());
        assertTrue(bom.getSerialNumber().matches("urn:uuid:[0-9a-f-]{36}"), bom.getSerialNumber());
    }
}
