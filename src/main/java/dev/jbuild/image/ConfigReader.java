package dev.jbuild.image;

import static dev.jbuild.image.DocumentReader.DECLINE;
import static dev.jbuild.image.DocumentReader.expect;
import static dev.jbuild.image.DocumentReader.integer;
import static dev.jbuild.image.DocumentReader.longInteger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.image.DocumentReader.Decline;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads image configs straight from the streaming parser into {@link ImageConfig}, the way
 * {@link DocumentReader} reads manifests: every build and {@code inspect} reads a few configs,
 * and binding them made the mapper and its record introspection the largest cost of a warm build.
 *
 * <p>The mapper stays the definition. This reader accepts what the mapper binds in the obvious
 * way (strings or null for strings, lists and objects of strings, integers that fit, booleans,
 * unknown fields at every level as trees) and declines everything else (a null inside a list or
 * map, a null for a primitive, a number where a string belongs, a field spelled like a record
 * component rather than like its JSON name, bad digests, trailing data): {@link ImageDocuments}
 * then reads the bytes with the mapper, which decides and words the error. Unknown fields are
 * built as trees with the mapper's node types (int, long or big-integer nodes by size, decimal
 * nodes for fractions, exactly as written), without the mapper: a tree needs no introspection.
 * {@code ConfigReaderTest} holds both readers equal on fixtures and a generated corpus.
 */
final class ConfigReader {

    private ConfigReader() {}

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    // Record component names that differ from the JSON names: Jackson may link them to the
    // component as well, so a document using them goes to the mapper.
    private static final Set<String> IMAGE_COMPONENTS = Set.of("osVersion", "osFeatures", "unknownFields");
    private static final Set<String> CONFIG_COMPONENTS = Set.of("user", "exposedPorts", "env", "entrypoint", "cmd",
            "volumes", "workingDir", "labels", "stopSignal", "argsEscaped", "healthcheck", "onBuild", "shell", "unknownFields");
    private static final Set<String> HEALTHCHECK_COMPONENTS = Set.of("test", "interval", "timeout", "startPeriod",
            "startInterval", "retries", "unknownFields");
    private static final Set<String> ROOTFS_COMPONENTS = Set.of("diffIds", "unknownFields");
    private static final Set<String> HISTORY_COMPONENTS = Set.of("createdBy", "emptyLayer", "unknownFields");

    /** The config in {@code bytes}, or null when the mapper has to read it. */
    static ImageConfig read(byte[] bytes) {
        try (JsonParser parser = Json.FACTORY.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ImageConfig value = image(parser);
            if (parser.nextToken() != null) {
                return null;
            }
            return value;
        } catch (Decline | IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static ImageConfig image(JsonParser parser) throws IOException, Decline {
        String created = null;
        String author = null;
        String architecture = null;
        String os = null;
        String osVersion = null;
        List<String> osFeatures = null;
        String variant = null;
        ImageConfig.Config config = null;
        ImageConfig.RootFs rootfs = null;
        List<ImageConfig.History> history = null;
        Map<String, JsonNode> unknown = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "created" -> created = string(parser);
                case "author" -> author = string(parser);
                case "architecture" -> architecture = string(parser);
                case "os" -> os = string(parser);
                case "os.version" -> osVersion = string(parser);
                case "os.features" -> osFeatures = stringList(parser);
                case "variant" -> variant = string(parser);
                case "config" -> config = isNull(parser) ? null : config(parser);
                case "rootfs" -> rootfs = isNull(parser) ? null : rootfs(parser);
                case "history" -> history = isNull(parser) ? null : histories(parser);
                default -> unknown = unknown(parser, name, IMAGE_COMPONENTS, unknown);
            }
        }
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, history, unknown);
    }

    private static ImageConfig.Config config(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_OBJECT);
        String user = null;
        Set<String> exposedPorts = null;
        List<String> env = null;
        List<String> entrypoint = null;
        List<String> cmd = null;
        Set<String> volumes = null;
        String workingDir = null;
        Map<String, String> labels = null;
        String stopSignal = null;
        boolean argsEscaped = false;
        ImageConfig.Healthcheck healthcheck = null;
        List<String> onBuild = null;
        List<String> shell = null;
        Map<String, JsonNode> unknown = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "User" -> user = string(parser);
                case "ExposedPorts" -> exposedPorts = stringSet(parser);
                case "Env" -> env = stringList(parser);
                case "Entrypoint" -> entrypoint = stringList(parser);
                case "Cmd" -> cmd = stringList(parser);
                case "Volumes" -> volumes = stringSet(parser);
                case "WorkingDir" -> workingDir = string(parser);
                case "Labels" -> labels = isNull(parser) ? null : DocumentReader.strings(parser);
                case "StopSignal" -> stopSignal = string(parser);
                case "ArgsEscaped" -> argsEscaped = bool(parser);
                case "Healthcheck" -> healthcheck = isNull(parser) ? null : healthcheck(parser);
                case "OnBuild" -> onBuild = stringList(parser);
                case "Shell" -> shell = stringList(parser);
                default -> unknown = unknown(parser, name, CONFIG_COMPONENTS, unknown);
            }
        }
        return new ImageConfig.Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
                argsEscaped, healthcheck, onBuild, shell, unknown);
    }

    private static ImageConfig.Healthcheck healthcheck(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_OBJECT);
        List<String> test = null;
        long interval = 0;
        long timeout = 0;
        long startPeriod = 0;
        long startInterval = 0;
        int retries = 0;
        Map<String, JsonNode> unknown = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "Test" -> test = stringList(parser);
                case "Interval" -> interval = longInteger(parser);
                case "Timeout" -> timeout = longInteger(parser);
                case "StartPeriod" -> startPeriod = longInteger(parser);
                case "StartInterval" -> startInterval = longInteger(parser);
                case "Retries" -> retries = integer(parser);
                default -> unknown = unknown(parser, name, HEALTHCHECK_COMPONENTS, unknown);
            }
        }
        return new ImageConfig.Healthcheck(test, interval, timeout, startPeriod, startInterval, retries, unknown);
    }

    private static ImageConfig.RootFs rootfs(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_OBJECT);
        String type = null;
        List<Digest> diffIds = null;
        Map<String, JsonNode> unknown = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "type" -> type = string(parser);
                case "diff_ids" -> {
                    if (isNull(parser)) {
                        diffIds = null;
                    } else {
                        expect(parser, JsonToken.START_ARRAY);
                        diffIds = new ArrayList<>();
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            diffIds.add(Digest.parse(DocumentReader.string(parser)));
                        }
                    }
                }
                default -> unknown = unknown(parser, name, ROOTFS_COMPONENTS, unknown);
            }
        }
        return new ImageConfig.RootFs(type, diffIds, unknown);
    }

    private static List<ImageConfig.History> histories(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_ARRAY);
        List<ImageConfig.History> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            list.add(history(parser));
        }
        return list;
    }

    static ImageConfig.History history(JsonParser parser) throws IOException, Decline {
        expect(parser, JsonToken.START_OBJECT);
        String created = null;
        String createdBy = null;
        String author = null;
        String comment = null;
        boolean emptyLayer = false;
        Map<String, JsonNode> unknown = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "created" -> created = string(parser);
                case "created_by" -> createdBy = string(parser);
                case "author" -> author = string(parser);
                case "comment" -> comment = string(parser);
                case "empty_layer" -> emptyLayer = bool(parser);
                default -> unknown = unknown(parser, name, HISTORY_COMPONENTS, unknown);
            }
        }
        return new ImageConfig.History(created, createdBy, author, comment, emptyLayer, unknown);
    }

    /** A field the record does not model, kept as a tree (its any-setter's view of it). */
    private static Map<String, JsonNode> unknown(JsonParser parser, String name, Set<String> components,
            Map<String, JsonNode> unknown) throws IOException, Decline {
        if (components.contains(name)) {
            throw DECLINE;
        }
        Map<String, JsonNode> map = unknown == null ? new LinkedHashMap<>() : unknown;
        map.put(name, tree(parser));
        return map;
    }

    /** The tree of the value at the current token, with the node types the mapper's tree reading gives. */
    static JsonNode tree(JsonParser parser) throws IOException, Decline {
        JsonToken token = parser.currentToken();
        if (token == null) {
            throw DECLINE;
        }
        switch (token) {
            case START_OBJECT -> {
                ObjectNode node = NODES.objectNode();
                for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                    parser.nextToken();
                    node.set(name, tree(parser));
                }
                return node;
            }
            case START_ARRAY -> {
                ArrayNode node = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    node.add(tree(parser));
                }
                return node;
            }
            case VALUE_STRING -> {
                return NODES.textNode(parser.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (parser.getNumberType()) {
                    case INT -> NODES.numberNode(parser.getIntValue());
                    case LONG -> NODES.numberNode(parser.getLongValue());
                    default -> NODES.numberNode(parser.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                // USE_BIG_DECIMAL_FOR_FLOATS without stripping zeros: the number as written.
                return NODES.numberNode(parser.getDecimalValue());
            }
            case VALUE_TRUE -> {
                return NODES.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return NODES.booleanNode(false);
            }
            case VALUE_NULL -> {
                return NODES.nullNode();
            }
            default -> throw DECLINE;
        }
    }

    private static boolean isNull(JsonParser parser) {
        return parser.currentToken() == JsonToken.VALUE_NULL;
    }

    /** A string field: the mapper binds a JSON null as null and refuses every other non-string. */
    private static String string(JsonParser parser) throws IOException, Decline {
        return isNull(parser) ? null : DocumentReader.string(parser);
    }

    private static List<String> stringList(JsonParser parser) throws IOException, Decline {
        return isNull(parser) ? null : DocumentReader.stringList(parser);
    }

    /** Go's {@code map[string]struct{}}, as {@link Json.StringSetDeserializer} reads it. */
    private static Set<String> stringSet(JsonParser parser) throws IOException, Decline {
        if (isNull(parser)) {
            return null;
        }
        expect(parser, JsonToken.START_OBJECT);
        Set<String> keys = new LinkedHashSet<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            parser.skipChildren();
            keys.add(name);
        }
        return keys;
    }

    private static boolean bool(JsonParser parser) throws Decline {
        return switch (parser.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw DECLINE;
        };
    }
}
