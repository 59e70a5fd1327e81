package dev.jbuild.sbom;

import java.time.Instant;
import java.util.Objects;

/**
 * What a document says about itself, from the caller (so that the same image gives the same bytes):
 *
 * @param name          what the SBOM describes, e.g. the image name ({@code docker.io/library/app:1}) or
 *                      the stage; the document's and its root package's name
 * @param subjectDigest the digest of what is described ({@code sha256:...}, the image manifest or a
 *                      stage's layer chain): it makes the SPDX namespace and the CycloneDX serial number
 * @param created       the creation time ({@code SOURCE_DATE_EPOCH} when set); written to the second
 * @param toolVersion   jbuild's version, as in {@code Tool: jbuild-0.1.0}
 */
public record SbomDocumentInfo(String name, String subjectDigest, Instant created, String toolVersion) {

    public SbomDocumentInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(subjectDigest, "subjectDigest");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(toolVersion, "toolVersion");
    }
}
