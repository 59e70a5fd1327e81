package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What garbage collection reads from a cache record's bytes (the build's format, version 1). */
class RecordReferencesTest {

    static final Digest LAYER = Digest.of("layer".getBytes(StandardCharsets.UTF_8));
    static final Digest DIFF_ID = Digest.of("diff".getBytes(StandardCharsets.UTF_8));

    /** A record as {@code build.BuildCache} writes one for a step with a layer. */
    static String layerRecord(Digest layer) {
        return "{\"version\":1,\"layer\":{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
                + layer + "\",\"size\":5},\"diffId\":\"" + DIFF_ID + "\",\"whiteouts\":false,"
                + "\"history\":{\"created_by\":\"COPY a /a\"},\"config\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}";
    }

    /** A record of a metadata step (ENV, CMD, …): no layer. */
    static final String METADATA_RECORD =
            "{\"version\":1,\"history\":{\"created_by\":\"ENV A=1\",\"empty_layer\":true},\"config\":{\"os\":\"linux\"}}";

    private static Optional<RecordReferences> of(String record) {
        return RecordReferences.of(record.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRecordWithALayerKeepsThatBlob() {
        assertEquals(Optional.of(new RecordReferences(Set.of(LAYER))), of(layerRecord(LAYER)));
    }

    @Test
    void aRecordWithoutALayerKeepsNoBlob() {
        assertEquals(Optional.of(new RecordReferences(Set.of())), of(METADATA_RECORD));
        assertEquals(Optional.of(new RecordReferences(Set.of())), of(METADATA_RECORD.replace("{\"version\":1,", "{\"version\":1,\"layer\":null,")));
    }

    @Test
    void whatIsNotAVersionOneRecordIsUnreadable() {
        assertTrue(of("").isEmpty());
        assertTrue(of("not json").isEmpty());
        assertTrue(of("[1]").isEmpty());
        assertTrue(of("{\"version\":1,\"layer\":").isEmpty(), "truncated");
        assertTrue(of(layerRecord(LAYER).replace("\"version\":1", "\"version\":2")).isEmpty(), "another version");
        assertTrue(of(layerRecord(LAYER).replace("{\"version\":1,", "{")).isEmpty(), "no version");
        assertTrue(of("{\"version\":1,\"layer\":\"sha256:abc\"}").isEmpty(), "a layer that is not a descriptor");
        assertTrue(of(layerRecord(LAYER).replace(DIFF_ID.toString(), "nonsense")).isEmpty(), "a layer without a diff_id");
    }
}
