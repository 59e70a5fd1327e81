package dev.jbuild.sbom;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SPDX 2.3 JSON, with the fields BuildKit's scanner (syft) writes: one root package for what is
 * described ({@code DESCRIBES}), which {@code CONTAINS} every package found. Deterministic: packages in
 * the scan's order, SPDXIDs from their content, the namespace from the subject's digest, the time
 * from the caller.
 */
final class SpdxWriter {

    static final String NOASSERTION = "NOASSERTION";
    static final String ROOT_ID = "SPDXRef-DocumentRoot";

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Document(
            String spdxVersion,
            String dataLicense,
            @JsonProperty("SPDXID") String spdxId,
            String name,
            String documentNamespace,
            CreationInfo creationInfo,
            List<Package> packages,
            List<ExtractedLicense> hasExtractedLicensingInfos,
            List<Relationship> relationships) {}

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record CreationInfo(String licenseListVersion, List<String> creators, String created) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Package(
            String name,
            @JsonProperty("SPDXID") String spdxId,
            String versionInfo,
            String supplier,
            String downloadLocation,
            boolean filesAnalyzed,
            String sourceInfo,
            String licenseConcluded,
            String licenseDeclared,
            String copyrightText,
            List<ExternalRef> externalRefs,
            String primaryPackagePurpose) {}

    record ExternalRef(String referenceCategory, String referenceType, String referenceLocator) {}

    record ExtractedLicense(String licenseId, String extractedText, String name) {}

    record Relationship(String spdxElementId, String relationshipType, String relatedSpdxElement) {}

    private SpdxWriter() {}

    static byte[] write(SbomContents contents, SbomDocumentInfo info) throws IOException {
        SpdxLicenses licenses = SpdxLicenses.load();
        List<Package> packages = new ArrayList<>();
        List<Relationship> relationships = new ArrayList<>();
        packages.add(new Package(info.name(), ROOT_ID, info.subjectDigest(), null, NOASSERTION, false, null,
                NOASSERTION, NOASSERTION, NOASSERTION, null, "CONTAINER"));
        relationships.add(new Relationship("SPDXRef-DOCUMENT", "DESCRIBES", ROOT_ID));
        for (SbomPackage p : contents.packages()) {
            String id = spdxId(p);
            packages.add(new Package(
                    p.name(),
                    id,
                    p.version().isEmpty() ? null : p.version(),
                    supplier(p.supplier()),
                    NOASSERTION,
                    false,
                    "acquired package info from " + String.join(", ", p.locations()),
                    NOASSERTION,
                    licenses.declared(p.licenses()),
                    NOASSERTION,
                    List.of(new ExternalRef("PACKAGE-MANAGER", "purl", p.purl())),
                    null));
            relationships.add(new Relationship(ROOT_ID, "CONTAINS", id));
        }
        List<ExtractedLicense> extracted = new ArrayList<>();
        for (Map.Entry<String, String> e : licenses.extracted().entrySet()) {
            extracted.add(new ExtractedLicense(e.getKey(), e.getValue(), e.getKey().substring("LicenseRef-".length())));
        }
        Document document = new Document(
                "SPDX-2.3",
                "CC0-1.0",
                "SPDXRef-DOCUMENT",
                info.name(),
                namespace(info),
                new CreationInfo(licenses.listVersion(), List.of("Organization: jbuild", "Tool: jbuild-" + info.toolVersion()),
                        DateTimeFormatter.ISO_INSTANT.format(info.created().truncatedTo(ChronoUnit.SECONDS))),
                packages,
                extracted,
                relationships);
        return new ObjectMapper().writeValueAsBytes(document);
    }

    /** Unique for the subject (its digest) and stable: the same image always gets the same namespace. */
    static String namespace(SbomDocumentInfo info) {
        String safeName = info.name().replaceAll("[^A-Za-z0-9._-]+", "-");
        String digest = info.subjectDigest().replace(':', '-');
        return "https://jbuild.dev/spdx/" + safeName + "-" + digest;
    }

    /**
     * {@code SPDXRef-Package-<type>-<name>-<hash>}: the name's safe characters for people, a hash of the
     * purl and locations for uniqueness, so the id depends on nothing but the package.
     */
    static String spdxId(SbomPackage p) {
        String safeName = p.name().replaceAll("[^A-Za-z0-9.-]+", "-");
        String key = p.purl() + "\n" + String.join("\n", p.locations());
        String hash = Digest.of(key.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
        return "SPDXRef-Package-" + p.type() + "-" + safeName + "-" + hash;
    }

    /** SPDX's {@code Person: name (email)} from {@code Name <email>}; NOASSERTION when unknown. */
    static String supplier(String supplier) {
        if (supplier == null || supplier.isBlank()) {
            return NOASSERTION;
        }
        String s = supplier.strip().replace('\n', ' ');
        int lt = s.indexOf('<');
        int gt = s.indexOf('>', lt + 1);
        if (lt >= 0 && gt > lt) {
            String name = s.substring(0, lt).strip();
            String email = s.substring(lt + 1, gt).strip();
            s = name.isEmpty() ? email : name + " (" + email + ")";
        }
        return "Person: " + s;
    }
}
