package dev.jbuild.image;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the plain shape of manifests and indexes (what jbuild, the store and the registries
 * write: modelled fields only, strings, integers, objects and arrays) straight from Jackson's
 * streaming parser into the records, without its data binding. Building an ObjectMapper and
 * introspecting the records cost a short command such as {@code push} about 0.2 s, more than
 * everything it does with the documents.
 *
 * <p>It is a shortcut, never a second definition of the format: anything else (a field the records
 * do not model, a null, embedded data, a number that is not a plain integer, a duplicate key, a
 * value a record refuses, no usable media type, a schema version other than 2, a manifest without
 * a config) makes it decline, and {@link ImageDocuments} reads the document with {@link Json}'s
 * mapper, which decides what it means and words every error. Where it does not decline, it
 * builds the records through the same constructors with the same values the mapper would
 * ({@code DocumentReaderTest} checks both on every fixture). {@link ConfigReader} does the same for
 * image configs, with these helpers.
 */
final class DocumentReader {

    private DocumentReader() {}

    /** Thrown inside the readers to give up; never escapes them. */
    static final class Decline extends Exception {
        private static final long serialVersionUID = 1L;

        Decline() {
            super(null, null, false, false);
        }
    }

    static final Decline DECLINE = new Decline();

    /** The manifest or index in {@code bytes}, or null when the mapper has to read it. */
    static ManifestOrIndex read(byte[] bytes) {
        try (JsonParser parser = Json.FACTORY.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ManifestOrIndex value = document(parser);
            if (parser.nextToken() != null) {
                return null; // trailing data: the mapper's error
            }
            return value;
        } catch (Decline | IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Reads one value at the parser's current token. */
    interface Part<T> {
        T read(JsonParser parser) throws IOException, Decline;
    }

    /** The one value in {@code bytes} (a descriptor, a history entry), or null when the mapper has to read it. */
    static <T> T readPart(byte[] bytes, Part<T> part) {
        try (JsonParser parser = Json.FACTORY.createParser(bytes)) {
            if (parser.nextToken() == null) {
                return null;
            }
            T value = part.read(parser);
            return parser.nextToken() != null ? null : value;
        } catch (Decline | IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static ManifestOrIndex document(JsonParser parser) throws IOException, Decline {
        Integer schemaVersion = null;
        String mediaType = null;
        String artifactType = null;
        Descriptor config = null;
        List<Descriptor> layers = null;
        List<Descriptor> manifests = null;
        Descriptor subject = null;
        Map<String, String> annotations = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "schemaVersion" -> schemaVersion = integer(parser);
                case "mediaType" -> mediaType = string(parser);
                case "artifactType" -> artifactType = string(parser);
                case "config" -> config = descriptor(parser);
                case "layers" -> layers = descriptors(parser);
                case "manifests" -> manifests = descriptors(parser);
                case "subject" -> subject = descriptor(parser);
                case "annotations" -> annotations = strings(parser);
                default -> throw DECLINE;
            }
        }
        if (schemaVersion == null || schemaVersion != 2 || mediaType == null) {
            throw DECLINE;
        }
        if (MediaTypes.isIndex(mediaType) && config == null && layers == null) {
            return new Index(schemaVersion, mediaType, artifactType, manifests, subject, annotations, null);
        }
        if (MediaTypes.isManifest(mediaType) && config != null && manifests == null) {
            return new Manifest(schemaVersion, mediaType, artifactType, config, layers, subject, annotations, null);
        }
        throw DECLINE;
    }

    static Descriptor descriptor(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_OBJECT);
        String mediaType = null;
        Digest digest = null;
        long size = 0;
        List<String> urls = null;
        Map<String, String> annotations = null;
        Platform platform = null;
        String artifactType = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "mediaType" -> mediaType = string(parser);
                case "digest" -> digest = Digest.parse(string(parser));
                case "size" -> size = longInteger(parser);
                case "urls" -> urls = stringList(parser);
                case "annotations" -> annotations = strings(parser);
                case "platform" -> platform = platform(parser);
                case "artifactType" -> artifactType = string(parser);
                default -> throw DECLINE; // "data" included: embedded content goes through the mapper
            }
        }
        return new Descriptor(mediaType, digest, size, urls, annotations, null, platform, artifactType, null);
    }

    static Platform platform(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_OBJECT);
        String os = null;
        String architecture = null;
        String variant = null;
        String osVersion = null;
        List<String> osFeatures = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "os" -> os = string(parser);
                case "architecture" -> architecture = string(parser);
                case "variant" -> variant = string(parser);
                case "os.version" -> osVersion = string(parser);
                case "os.features" -> osFeatures = stringList(parser);
                default -> throw DECLINE;
            }
        }
        return new Platform(os, architecture, variant, osVersion, osFeatures, null);
    }

    private static List<Descriptor> descriptors(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_ARRAY);
        List<Descriptor> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            list.add(descriptor(parser));
        }
        return list;
    }

    static List<String> stringList(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_ARRAY);
        List<String> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            list.add(string(parser));
        }
        return list;
    }

    static Map<String, String> strings(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_OBJECT);
        Map<String, String> map = new LinkedHashMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            map.put(name, string(parser));
        }
        return map;
    }

    static String string(JsonParser parser) throws Decline, IOException {
        expect(parser, JsonToken.VALUE_STRING);
        return parser.getText();
    }

    static int integer(JsonParser parser) throws Decline, IOException {
        expect(parser, JsonToken.VALUE_NUMBER_INT);
        if (parser.getNumberType() != JsonParser.NumberType.INT) {
            throw DECLINE;
        }
        return parser.getIntValue();
    }

    static long longInteger(JsonParser parser) throws Decline, IOException {
        expect(parser, JsonToken.VALUE_NUMBER_INT);
        JsonParser.NumberType type = parser.getNumberType();
        if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
            throw DECLINE;
        }
        return parser.getLongValue();
    }

    static void expect(JsonParser parser, JsonToken token) throws Decline {
        if (parser.currentToken() != token) {
            throw DECLINE;
        }
    }
}
