package dev.jbuild.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A JSON document together with the exact bytes it was read from (or serialised to) and their
 * digest. Keeping the bytes is what lets an unmodified manifest or config be pushed, stored or
 * referenced again under the same digest: re-serialising a parsed value may legitimately produce
 * different bytes (key order, whitespace, escaping), and with them a different digest.
 *
 * <p>Instances come from {@link ImageDocuments}; the constructor checks that the digest is that
 * of the bytes, so a document can never carry a digest it does not have.
 */
public record Document<T>(T value, byte[] bytes, Digest digest) {

    public Document {
        Objects.requireNonNull(value, "value");
        bytes = bytes.clone();
        Digest actual = Digest.of(digest.algorithm(), bytes);
        if (!actual.equals(digest)) {
            throw new IllegalArgumentException("document digest " + digest + " does not match its bytes (" + actual + ")");
        }
    }

    Document(T value, byte[] bytes) {
        this(value, bytes, Digest.of(bytes));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public long size() {
        return bytes.length;
    }

    /** A descriptor of this document with the given media type. */
    public Descriptor descriptor(String mediaType) {
        return new Descriptor(mediaType, digest, bytes.length);
    }

    /**
     * A descriptor of a manifest or index document, typed by the document's own media type (or its
     * kind's OCI type when the field is absent).
     */
    public Descriptor descriptor() {
        if (value instanceof ManifestOrIndex m) {
            return descriptor(m.mediaTypeOrDefault());
        }
        throw new IllegalStateException("a " + value.getClass().getSimpleName() + " has no media type of its own; use descriptor(mediaType)");
    }

    /** The bytes as text, for logs and tests. */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // Documents are equal when their bytes are: the digest stands for the bytes.
    @Override
    public boolean equals(Object o) {
        return o instanceof Document<?> d && digest.equals(d.digest) && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "Document[" + value.getClass().getSimpleName() + " " + digest + " " + bytes.length + " bytes]";
    }
}
