package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import java.util.List;
import java.util.Objects;

/**
 * An image reference resolved for one platform.
 *
 * @param name the reference as asked for
 * @param descriptor the chosen manifest's descriptor (with its platform when it came from an index)
 * @param manifest the image manifest, with the exact bytes the registry served
 * @param indexes the index (or nested indexes) the manifest was chosen from, outermost first;
 *     empty when the reference named a manifest directly
 */
public record ResolvedImage(ImageName name, Descriptor descriptor, Document<Manifest> manifest, List<Document<Index>> indexes) {

    public ResolvedImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(manifest, "manifest");
        indexes = List.copyOf(indexes);
    }

    /** The digest the reference resolved to: of the outermost index when there is one, else of the manifest. */
    Digest rootDigest() {
        return indexes.isEmpty() ? manifest.digest() : indexes.get(0).digest();
    }
}
