package dev.jbuild.image;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * The entry point for reading and writing image documents (manifests, indexes, configs).
 *
 * <p>Reading keeps the original bytes ({@link Document}), so an unmodified document keeps its
 * digest. Writing ({@link #encode}) serialises canonically, the way Go's {@code encoding/json}
 * writes the image-spec structs (field order of the struct, no whitespace, sorted map keys, HTML
 * characters escaped), and digests exactly those bytes: the same value always gives the same
 * digest, on any machine.
 */
public final class ImageDocuments {

    private ImageDocuments() {}

    /**
     * Reads a manifest or index, as returned by a registry's {@code /manifests/} endpoint or read
     * from a store. The kind comes from the document's {@code mediaType} field, else from
     * {@code contentType} (the HTTP {@code Content-Type}; may be null), else from the document's
     * shape ({@code manifests} makes an index, {@code config} a manifest). Docker schema 1 is
     * rejected with a message that says what to do.
     */
    public static Document<ManifestOrIndex> parseManifestOrIndex(byte[] bytes, String contentType)
            throws InvalidDocumentException {
        String contentTypeBase = contentType == null ? null : contentType.split(";", 2)[0].trim();
        if (!MediaTypes.isSchema1(contentTypeBase)) {
            // The plain documents the store and registries hold, without data binding; null when
            // the document needs the mapper (which then decides and words any error).
            ManifestOrIndex plain = DocumentReader.read(bytes);
            if (plain != null) {
                return new Document<>(plain, bytes);
            }
        }
        return parseWithMapper(bytes, contentType);
    }

    /** {@link #parseManifestOrIndex(byte[], String)} through the mapper alone: the reference. */
    static Document<ManifestOrIndex> parseWithMapper(byte[] bytes, String contentType) throws InvalidDocumentException {
        JsonNode tree = tree(bytes, "manifest");
        Kind kind = kindOf(tree, contentType);
        ManifestOrIndex value = kind == Kind.INDEX ? bind(bytes, Index.class, "index") : bind(bytes, Manifest.class, "manifest");
        checkSchemaVersion(value.schemaVersion());
        if (value instanceof Manifest m && m.config() == null) {
            throw new InvalidDocumentException("invalid image manifest: no config descriptor");
        }
        return new Document<>(value, bytes);
    }

    public static Document<ManifestOrIndex> parseManifestOrIndex(byte[] bytes) throws InvalidDocumentException {
        return parseManifestOrIndex(bytes, null);
    }

    /** Reads an image manifest; an index (or anything else) is an error. */
    public static Document<Manifest> parseManifest(byte[] bytes) throws InvalidDocumentException {
        Document<ManifestOrIndex> doc = parseManifestOrIndex(bytes, null);
        if (doc.value() instanceof Manifest m) {
            return new Document<>(m, bytes, doc.digest());
        }
        throw new InvalidDocumentException("expected an image manifest, got an index (" + doc.value().mediaTypeOrDefault() + ")");
    }

    /** Reads an index (or Docker manifest list, or an OCI layout's index.json). */
    public static Document<Index> parseIndex(byte[] bytes) throws InvalidDocumentException {
        Document<ManifestOrIndex> doc = parseManifestOrIndex(bytes, null);
        if (doc.value() instanceof Index i) {
            return new Document<>(i, bytes, doc.digest());
        }
        throw new InvalidDocumentException("expected an image index, got a manifest (" + doc.value().mediaTypeOrDefault() + ")");
    }

    /** Reads an image config blob. */
    public static Document<ImageConfig> parseConfig(byte[] bytes) throws InvalidDocumentException {
        // Without data binding where the streaming reader is sure; otherwise the mapper decides.
        ImageConfig plain = ConfigReader.read(bytes);
        if (plain != null) {
            return new Document<>(plain, bytes);
        }
        return parseConfigWithMapper(bytes);
    }

    /** {@link #parseConfig} through the mapper alone: the reference. */
    static Document<ImageConfig> parseConfigWithMapper(byte[] bytes) throws InvalidDocumentException {
        tree(bytes, "image config");
        ImageConfig value = bind(bytes, ImageConfig.class, "image config");
        if (value == null) {
            // The mapper binds a bare JSON null as no value at all.
            throw new InvalidDocumentException("invalid image config: expected a JSON object");
        }
        return new Document<>(value, bytes);
    }

    /** Serialises {@code value} canonically and digests the result (sha256). */
    public static <T> Document<T> encode(T value) {
        return new Document<>(value, canonicalBytes(value));
    }

    /** The canonical JSON of a document or any of its parts (a descriptor, a platform). */
    public static byte[] canonicalBytes(Object value) {
        // The documents of every build without data binding; the same bytes as the mapper's.
        byte[] plain = DocumentWriter.write(value);
        return plain != null ? plain : canonicalBytesWithMapper(value);
    }

    /** {@link #canonicalBytes} through the mapper alone: the reference. */
    static byte[] canonicalBytesWithMapper(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // Only records of this package are written; failing here is a bug, not bad input.
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads any part of a document (a descriptor, a platform, a history entry) from JSON; the
     * build cache reads its records' parts this way on every warm build.
     */
    public static <T> T parsePart(byte[] bytes, Class<T> type) throws InvalidDocumentException {
        // The parts the build cache and the store read, without data binding where the readers are sure.
        Object plain = type == Descriptor.class ? DocumentReader.readPart(bytes, DocumentReader::descriptor)
                : type == Platform.class ? DocumentReader.readPart(bytes, DocumentReader::platform)
                : type == ImageConfig.History.class ? DocumentReader.readPart(bytes, ConfigReader::history)
                : type == ImageConfig.class ? ConfigReader.read(bytes)
                : null;
        return plain != null ? type.cast(plain) : parsePartWithMapper(bytes, type);
    }

    /** {@link #parsePart} through the mapper alone: the reference. */
    static <T> T parsePartWithMapper(byte[] bytes, Class<T> type) throws InvalidDocumentException {
        return bind(bytes, type, type.getSimpleName());
    }

    private enum Kind {
        MANIFEST,
        INDEX
    }

    private static Kind kindOf(JsonNode tree, String contentType) throws InvalidDocumentException {
        if (!tree.isObject()) {
            throw new InvalidDocumentException("invalid manifest: expected a JSON object");
        }
        JsonNode mediaTypeNode = tree.get("mediaType");
        String mediaType = mediaTypeNode != null && mediaTypeNode.isTextual() ? mediaTypeNode.asText() : null;
        JsonNode schemaVersion = tree.get("schemaVersion");
        String contentTypeBase = contentType == null ? null : contentType.split(";", 2)[0].trim();
        if (MediaTypes.isSchema1(mediaType) || MediaTypes.isSchema1(contentTypeBase)
                || (schemaVersion != null && schemaVersion.isInt() && schemaVersion.asInt() == 1)) {
            throw new InvalidDocumentException("image manifest schema 1 (" + MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST
                    + ") is no longer supported; push the image again with a current Docker or other tool "
                    + "to convert it to schema 2 or OCI");
        }
        String declared = mediaType != null && !mediaType.isEmpty() ? mediaType : contentTypeBase;
        if (MediaTypes.isIndex(declared)) {
            return Kind.INDEX;
        }
        if (MediaTypes.isManifest(declared)) {
            return Kind.MANIFEST;
        }
        if (mediaType != null && !mediaType.isEmpty()) {
            throw new InvalidDocumentException("unsupported manifest media type '" + mediaType + "'");
        }
        // No usable type: the image-spec lets mediaType be absent, so go by shape.
        if (tree.has("manifests")) {
            return Kind.INDEX;
        }
        if (tree.has("config") || tree.has("layers")) {
            return Kind.MANIFEST;
        }
        throw new InvalidDocumentException("not an image manifest or index"
                + (contentTypeBase == null || contentTypeBase.isEmpty() ? "" : " (content type '" + contentTypeBase + "')"));
    }

    private static void checkSchemaVersion(int schemaVersion) throws InvalidDocumentException {
        if (schemaVersion != 2) {
            throw new InvalidDocumentException("unsupported manifest schemaVersion " + schemaVersion + " (expected 2)");
        }
    }

    private static JsonNode tree(byte[] bytes, String what) throws InvalidDocumentException {
        try {
            return Json.mapper().readTree(bytes);
        } catch (JacksonException e) {
            throw new InvalidDocumentException("invalid " + what + ": " + message(e), e);
        } catch (IOException e) {
            throw new InvalidDocumentException("invalid " + what + ": " + e.getMessage(), e);
        }
    }

    private static <T> T bind(byte[] bytes, Class<T> type, String what) throws InvalidDocumentException {
        try {
            return Json.mapper().readValue(bytes, type);
        } catch (JacksonException e) {
            throw new InvalidDocumentException("invalid " + what + ": " + message(e), e);
        } catch (IOException e) {
            throw new InvalidDocumentException("invalid " + what + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidDocumentException("invalid " + what + ": " + e.getMessage(), e);
        }
    }

    // Jackson's messages include a source excerpt; the first line says what is wrong. A value of the wrong JSON
    // type is worded by field and the type wanted: Jackson's names Java classes.
    /** What a Jackson error says, worded for the user (no source excerpt, no Java types); for every JSON jbuild reads. */
    public static String describe(JacksonException e) {
        return message(e);
    }

    private static String message(JacksonException e) {
        String m = e.getOriginalMessage();
        if (e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null) {
            m = iae.getMessage();
        } else if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            String field = fieldPath(mismatch.getPath());
            m = (field.isEmpty() ? "" : field + ": ") + "expected " + jsonType(mismatch.getTargetType());
        }
        if (m != null) {
            m = m.lines().findFirst().orElse(m);
            int hint = m.indexOf(" (but might if");
            m = hint > 0 ? m.substring(0, hint) : m;
            // "expected close marker for Object (start marker at [Source: REDACTED ...; line: 1, column: 1])"
            m = m.replaceAll(" ?\\(start marker at \\[Source:[^\\]]*\\]\\)", "");
        }
        return (m == null ? "malformed JSON" : m)
                + (e.getLocation() != null ? " at byte " + e.getLocation().getByteOffset() : "");
    }

    /** {@code manifests[0].digest}, {@code config.User}: where in the document a value is. */
    private static String fieldPath(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference reference : path) {
            if (reference.getFieldName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** The JSON type a field of Java type {@code type} holds. */
    private static String jsonType(Class<?> type) {
        if (type == String.class || type == char.class || type == Character.class || type.isEnum()) {
            return "a string";
        } else if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        } else if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        } else if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}
