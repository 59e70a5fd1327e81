package dev.jbuild.export;

import dev.jbuild.image.ImageName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One name an archived image is given, in the spellings the archive formats want.
 *
 * @param fullName  {@code docker.io/library/app:1.0}: containerd's {@code io.containerd.image.name}
 * @param tag       {@code 1.0}, or null for a digest-only reference: the OCI layout's
 *                  {@code org.opencontainers.image.ref.name}, as BuildKit and {@code docker save} write it
 *                  and as {@code skopeo oci-archive:file:TAG} and {@code umoci --image DIR:TAG} look it up
 * @param familiar  {@code app:1.0}: Docker's {@code RepoTags} spelling, or null without a tag
 * @param repository {@code app}: the key of Docker's legacy {@code repositories} file
 */
record ArchiveName(String fullName, String tag, String familiar, String repository) {

    /** Parses every reference (Docker's normalisation); duplicates after normalisation are dropped. */
    static List<ArchiveName> parseAll(List<String> references) throws ExportException {
        Map<String, ArchiveName> names = new LinkedHashMap<>();
        for (String reference : references == null ? List.<String>of() : references) {
            ImageName parsed;
            try {
                parsed = ImageName.parse(reference);
            } catch (IllegalArgumentException e) {
                throw new ExportException("cannot name the exported image '" + reference + "': " + e.getMessage());
            }
            ImageName repositoryOnly = new ImageName(parsed.registry(), parsed.repository(), null, null);
            ImageName tagged = new ImageName(parsed.registry(), parsed.repository(), parsed.tag(), null);
            names.putIfAbsent(parsed.toString(), new ArchiveName(parsed.toString(), parsed.tag(),
                    parsed.tag() == null ? null : tagged.familiar(), repositoryOnly.familiar()));
        }
        return new ArrayList<>(names.values());
    }
}
