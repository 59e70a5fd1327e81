package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import java.util.List;

/**
 * What a push did.
 *
 * @param descriptor the pushed manifest or index (media type, digest, size)
 * @param references every reference now pointing at it, {@code host/repo:tag} and {@code host/repo@digest}
 * @param uploaded blobs uploaded
 * @param mounted blobs mounted from another repository
 * @param skipped blobs the registry already had
 * @param bytesUploaded bytes of blob content sent
 */
public record PushResult(Descriptor descriptor, List<String> references, int uploaded, int mounted, int skipped, long bytesUploaded) {

    public PushResult {
        references = List.copyOf(references);
    }

    public Digest digest() {
        return descriptor.digest();
    }
}
