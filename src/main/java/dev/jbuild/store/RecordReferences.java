package dev.jbuild.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * What garbage collection must know of a build cache record, read from the record's own bytes:
 * that it is a record at all, and the blobs it keeps alive. The build writes records
 * ({@code build.BuildCache} owns the whole format); the store relies only on the envelope every
 * version-1 record has, so it needs nothing from the build (the build depends on the store, not
 * the reverse), much as containerd's collector reads an object's references from its labels
 * instead of knowing the type that wrote it:
 *
 * <pre>
 * {"version":1, "layer":{descriptor of the layer blob}, "diffId":"sha256:…", …}   (no "layer": no blob)
 * </pre>
 *
 * @param blobs the blobs the record names (none for a step without a layer)
 */
record RecordReferences(Set<Digest> blobs) {

    /**
     * The references of {@code record}, or empty when it cannot be read (not JSON, another version,
     * a layer that is not a descriptor): such a record is a miss for every build, and garbage.
     */
    static Optional<RecordReferences> of(byte[] record) {
        try {
            JsonNode node = Mapper.MAPPER.readTree(record);
            if (node == null || !node.isObject() || node.path("version").asInt() != 1) {
                return Optional.empty();
            }
            if (!node.hasNonNull("layer")) {
                return Optional.of(new RecordReferences(Set.of()));
            }
            Descriptor layer = ImageDocuments.parsePart(Mapper.MAPPER.writeValueAsBytes(node.get("layer")), Descriptor.class);
            Digest.parse(node.path("diffId").asText()); // a record with a layer names its diff_id, else the build cannot use it
            return Optional.of(new RecordReferences(Set.of(layer.digest())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Made when the first record is read, which only a collection or {@code du} does. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
}
