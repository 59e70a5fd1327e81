package dev.jbuild.image;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes the documents every build writes (configs, manifests, indexes, descriptors, platforms,
 * history entries) straight to {@link Json#FACTORY}'s generator, byte for byte what the mapper
 * writes for them: the same field order ({@code @JsonPropertyOrder}), the same inclusion rules
 * (NON_NULL, NON_EMPTY, NON_DEFAULT as the records declare them), unknown fields after the
 * modelled ones, map keys sorted, and the generator's Go escapes and number formats. Binding the
 * records for writing built the mapper and introspected them on every build.
 *
 * <p>The mapper stays the definition: {@code DocumentWriterTest} holds the bytes of both equal on
 * fixtures and a generated corpus, which keeps every digest as it was. Values this writer does not
 * handle in the obvious way (a null inside a list or map, a tree node other than JSON's own kinds)
 * make it return null, and {@link ImageDocuments} writes them with the mapper.
 */
final class DocumentWriter {

    private DocumentWriter() {}

    /** Thrown inside the writer to give up; never escapes it. */
    private static final class Decline extends Exception {
        private static final long serialVersionUID = 1L;

        Decline() {
            super(null, null, false, false);
        }
    }

    private static final Decline DECLINE = new Decline();

    /** The canonical bytes of {@code value}, or null when the mapper has to write it. */
    static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            if (value instanceof ImageConfig c) {
                image(gen, c);
            } else if (value instanceof Manifest m) {
                manifest(gen, m);
            } else if (value instanceof Index i) {
                index(gen, i);
            } else if (value instanceof Descriptor d) {
                descriptor(gen, d);
            } else if (value instanceof Platform p) {
                platform(gen, p);
            } else if (value instanceof ImageConfig.History h) {
                history(gen, h);
            } else if (value instanceof ImageConfig.Config c) {
                config(gen, c);
            } else if (value instanceof ImageConfig.RootFs r) {
                rootfs(gen, r);
            } else if (value instanceof ImageConfig.Healthcheck h) {
                healthcheck(gen, h);
            } else {
                return null;
            }
        } catch (Decline e) {
            return null;
        } catch (IOException e) {
            // Writing to memory does not fail; a generator refusing a value is a bug here.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void image(JsonGenerator gen, ImageConfig c) throws IOException, Decline {
        gen.writeStartObject();
        nonEmpty(gen, "created", c.created());
        nonEmpty(gen, "author", c.author());
        nonNull(gen, "architecture", c.architecture());
        nonNull(gen, "os", c.os());
        nonEmpty(gen, "os.version", c.osVersion());
        nonEmpty(gen, "os.features", c.osFeatures());
        nonEmpty(gen, "variant", c.variant());
        if (c.config() != null) {
            gen.writeFieldName("config");
            config(gen, c.config());
        }
        if (c.rootfs() != null) {
            gen.writeFieldName("rootfs");
            rootfs(gen, c.rootfs());
        }
        if (c.history() != null && !c.history().isEmpty()) {
            gen.writeFieldName("history");
            gen.writeStartArray();
            for (ImageConfig.History h : c.history()) {
                if (h == null) {
                    throw DECLINE;
                }
                history(gen, h);
            }
            gen.writeEndArray();
        }
        unknown(gen, c.unknownFields());
        gen.writeEndObject();
    }

    private static void config(JsonGenerator gen, ImageConfig.Config c) throws IOException, Decline {
        gen.writeStartObject();
        nonEmpty(gen, "User", c.user());
        stringSet(gen, "ExposedPorts", c.exposedPorts());
        nonEmpty(gen, "Env", c.env());
        nonEmpty(gen, "Entrypoint", c.entrypoint());
        nonEmpty(gen, "Cmd", c.cmd());
        stringSet(gen, "Volumes", c.volumes());
        nonEmpty(gen, "WorkingDir", c.workingDir());
        nonEmpty(gen, "Labels", c.labels());
        nonEmpty(gen, "StopSignal", c.stopSignal());
        if (c.argsEscaped()) {
            gen.writeBooleanField("ArgsEscaped", true);
        }
        if (c.healthcheck() != null) {
            gen.writeFieldName("Healthcheck");
            healthcheck(gen, c.healthcheck());
        }
        nonEmpty(gen, "OnBuild", c.onBuild());
        nonEmpty(gen, "Shell", c.shell());
        unknown(gen, c.unknownFields());
        gen.writeEndObject();
    }

    private static void healthcheck(JsonGenerator gen, ImageConfig.Healthcheck h) throws IOException, Decline {
        gen.writeStartObject();
        nonEmpty(gen, "Test", h.test());
        nonZero(gen, "Interval", h.interval());
        nonZero(gen, "Timeout", h.timeout());
        nonZero(gen, "StartPeriod", h.startPeriod());
        nonZero(gen, "StartInterval", h.startInterval());
        if (h.retries() != 0) {
            gen.writeNumberField("Retries", h.retries());
        }
        unknown(gen, h.unknownFields());
        gen.writeEndObject();
    }

    private static void rootfs(JsonGenerator gen, ImageConfig.RootFs r) throws IOException, Decline {
        gen.writeStartObject();
        nonNull(gen, "type", r.type());
        if (r.diffIds() != null) {
            gen.writeFieldName("diff_ids");
            gen.writeStartArray();
            for (Digest d : r.diffIds()) {
                if (d == null) {
                    throw DECLINE;
                }
                gen.writeString(d.toString());
            }
            gen.writeEndArray();
        }
        unknown(gen, r.unknownFields());
        gen.writeEndObject();
    }

    private static void history(JsonGenerator gen, ImageConfig.History h) throws IOException, Decline {
        gen.writeStartObject();
        nonEmpty(gen, "created", h.created());
        nonEmpty(gen, "created_by", h.createdBy());
        nonEmpty(gen, "author", h.author());
        nonEmpty(gen, "comment", h.comment());
        if (h.emptyLayer()) {
            gen.writeBooleanField("empty_layer", true);
        }
        unknown(gen, h.unknownFields());
        gen.writeEndObject();
    }

    private static void manifest(JsonGenerator gen, Manifest m) throws IOException, Decline {
        gen.writeStartObject();
        gen.writeNumberField("schemaVersion", m.schemaVersion());
        nonEmpty(gen, "mediaType", m.mediaType());
        nonEmpty(gen, "artifactType", m.artifactType());
        if (m.config() != null) {
            gen.writeFieldName("config");
            descriptor(gen, m.config());
        }
        descriptors(gen, "layers", m.layers());
        if (m.subject() != null) {
            gen.writeFieldName("subject");
            descriptor(gen, m.subject());
        }
        nonEmpty(gen, "annotations", m.annotations());
        unknown(gen, m.unknownFields());
        gen.writeEndObject();
    }

    private static void index(JsonGenerator gen, Index i) throws IOException, Decline {
        gen.writeStartObject();
        gen.writeNumberField("schemaVersion", i.schemaVersion());
        nonEmpty(gen, "mediaType", i.mediaType());
        nonEmpty(gen, "artifactType", i.artifactType());
        descriptors(gen, "manifests", i.manifests());
        if (i.subject() != null) {
            gen.writeFieldName("subject");
            descriptor(gen, i.subject());
        }
        nonEmpty(gen, "annotations", i.annotations());
        unknown(gen, i.unknownFields());
        gen.writeEndObject();
    }

    private static void descriptors(JsonGenerator gen, String name, List<Descriptor> list) throws IOException, Decline {
        // Never null (the records' constructors), written even when empty, as Go writes it.
        gen.writeFieldName(name);
        gen.writeStartArray();
        for (Descriptor d : list) {
            if (d == null) {
                throw DECLINE;
            }
            descriptor(gen, d);
        }
        gen.writeEndArray();
    }

    private static void descriptor(JsonGenerator gen, Descriptor d) throws IOException, Decline {
        gen.writeStartObject();
        nonEmpty(gen, "mediaType", d.mediaType());
        gen.writeStringField("digest", d.digest().toString());
        gen.writeNumberField("size", d.size());
        nonEmpty(gen, "urls", d.urls());
        nonEmpty(gen, "annotations", d.annotations());
        byte[] data = d.data();
        if (data != null && data.length > 0) {
            gen.writeFieldName("data");
            gen.writeBinary(data);
        }
        if (d.platform() != null) {
            gen.writeFieldName("platform");
            platform(gen, d.platform());
        }
        nonEmpty(gen, "artifactType", d.artifactType());
        unknown(gen, d.unknownFields());
        gen.writeEndObject();
    }

    private static void platform(JsonGenerator gen, Platform p) throws IOException, Decline {
        gen.writeStartObject();
        nonNull(gen, "architecture", p.architecture());
        nonNull(gen, "os", p.os());
        nonEmpty(gen, "os.version", p.osVersion());
        nonEmpty(gen, "os.features", p.osFeatures());
        nonEmpty(gen, "variant", p.variant());
        unknown(gen, p.unknownFields());
        gen.writeEndObject();
    }

    private static void nonNull(JsonGenerator gen, String name, String value) throws IOException {
        if (value != null) {
            gen.writeStringField(name, value);
        }
    }

    private static void nonEmpty(JsonGenerator gen, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            gen.writeStringField(name, value);
        }
    }

    private static void nonZero(JsonGenerator gen, String name, long value) throws IOException {
        if (value != 0) {
            gen.writeNumberField(name, value);
        }
    }

    private static void nonEmpty(JsonGenerator gen, String name, List<String> list) throws IOException, Decline {
        if (list == null || list.isEmpty()) {
            return;
        }
        gen.writeFieldName(name);
        gen.writeStartArray();
        for (String s : list) {
            if (s == null) {
                throw DECLINE;
            }
            gen.writeString(s);
        }
        gen.writeEndArray();
    }

    /** A string map, keys sorted (the mapper's ORDER_MAP_ENTRIES_BY_KEYS). */
    private static void nonEmpty(JsonGenerator gen, String name, Map<String, String> map) throws IOException, Decline {
        if (map == null || map.isEmpty()) {
            return;
        }
        gen.writeFieldName(name);
        gen.writeStartObject();
        for (Map.Entry<String, String> e : sorted(map).entrySet()) {
            if (e.getValue() == null) {
                throw DECLINE;
            }
            gen.writeStringField(e.getKey(), e.getValue());
        }
        gen.writeEndObject();
    }

    /** As {@link Json.StringSetSerializer} writes Go's {@code map[string]struct{}}. */
    private static void stringSet(JsonGenerator gen, String name, Set<String> set) throws IOException, Decline {
        if (set == null || set.isEmpty()) {
            return;
        }
        if (set.contains(null)) {
            throw DECLINE;
        }
        gen.writeFieldName(name);
        gen.writeStartObject();
        for (String key : new TreeSet<>(set)) {
            gen.writeFieldName(key);
            gen.writeStartObject();
            gen.writeEndObject();
        }
        gen.writeEndObject();
    }

    /** The any-getter's fields: after the modelled ones, keys sorted like every other map. */
    private static void unknown(JsonGenerator gen, Map<String, JsonNode> fields) throws IOException, Decline {
        for (Map.Entry<String, JsonNode> e : sorted(fields).entrySet()) {
            if (e.getValue() == null) {
                throw DECLINE;
            }
            gen.writeFieldName(e.getKey());
            tree(gen, e.getValue());
        }
    }

    private static <V> Map<String, V> sorted(Map<String, V> map) throws Decline {
        if (map.isEmpty()) {
            return map;
        }
        if (map.containsKey(null)) {
            throw DECLINE;
        }
        return new TreeMap<>(map);
    }

    /** A tree as the mapper writes a JsonNode: fields in their order, numbers as their type writes them. */
    private static void tree(JsonGenerator gen, JsonNode node) throws IOException, Decline {
        switch (node.getNodeType()) {
            case OBJECT -> {
                gen.writeStartObject();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    gen.writeFieldName(e.getKey());
                    tree(gen, e.getValue());
                }
                gen.writeEndObject();
            }
            case ARRAY -> {
                gen.writeStartArray();
                for (JsonNode element : node) {
                    tree(gen, element);
                }
                gen.writeEndArray();
            }
            case STRING -> gen.writeString(node.textValue());
            case BOOLEAN -> gen.writeBoolean(node.booleanValue());
            case NULL -> gen.writeNull();
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> gen.writeNumber(node.intValue());
                    case LONG -> gen.writeNumber(node.longValue());
                    case BIG_INTEGER -> gen.writeNumber(node.bigIntegerValue());
                    case BIG_DECIMAL -> gen.writeNumber(node.decimalValue());
                    default -> throw DECLINE; // float and double nodes: the mapper's formatting
                }
            }
            default -> throw DECLINE; // binary, POJO and missing nodes
        }
    }
}
