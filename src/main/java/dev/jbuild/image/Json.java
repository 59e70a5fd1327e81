package dev.jbuild.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one Jackson configuration for image documents. Serialisation follows what Go's
 * {@code encoding/json} writes for the image-spec structs, because that is what Docker, BuildKit
 * and the registries produce and what a digest of a newly built document should be stable
 * against: no whitespace, fields in struct order (each record's {@code @JsonPropertyOrder}), map
 * keys sorted, {@code <}, {@code >}, {@code &}, U+2028 and U+2029 escaped as {@code \u003c} and so
 * on, lower-case hex in escapes. Parsing is strict where leniency could let two readers disagree
 * about a document's content: duplicate keys and trailing data are errors, and numbers are not
 * coerced from strings.
 */
final class Json {

    private Json() {}

    /**
     * The parser and generator settings of every image document, shared by the mapper and by
     * {@link DocumentReader}. Building it is cheap (the streaming layer only).
     */
    static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            // Characters outside the BMP as raw UTF-8, like Go, not as escaped surrogate pairs.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .characterEscapes(new GoEscapes())
            .build();

    /**
     * The data-binding mapper, configured once and built on first use: an ObjectMapper and the
     * introspection of the records cost a short command about 0.2 s, which a {@code push} of
     * documents {@link DocumentReader} reads does not pay. Thread-safe once built, never reconfigured.
     */
    static ObjectMapper mapper() {
        return MapperHolder.MAPPER;
    }

    // The builder lives here, not in Json: verifying Json would otherwise load the mapper's classes
    // (JsonMapper, ObjectMapper) on every path that only streams.
    private static final class MapperHolder {
        static final ObjectMapper MAPPER = newMapper(FACTORY);

        private static ObjectMapper newMapper(JsonFactory factory) {
            JsonMapper mapper = JsonMapper.builder(factory)
                    .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    // Unknown fields are kept as trees; keep their numbers exactly as written.
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                    .build();
            // Go refuses a number or boolean where a string belongs; so do we.
            mapper.coercionConfigFor(LogicalType.Textual)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
            return mapper;
        }
    }

    /** Go's HTML-safe string escaping; control characters use Jackson's standard escapes. */
    private static final class GoEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        GoEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii['<'] = ESCAPE_STANDARD;
            ascii['>'] = ESCAPE_STANDARD;
            ascii['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch == 0x2028) {
                return new SerializedString("\\u2028");
            }
            if (ch == 0x2029) {
                return new SerializedString("\\u2029");
            }
            return null;
        }
    }

    /** Unmodifiable copy that keeps null as null (absent) and keeps the order given. */
    static <T> List<T> copy(List<T> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** {@link #copy(List)} of a list of descriptors, none of which may be null ({@code "layers":[null]}). */
    static List<Descriptor> descriptors(List<Descriptor> list, String field) {
        if (list == null) {
            return List.of();
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(field + "[" + i + "] is null, not a descriptor");
            }
        }
        return copy(list);
    }

    static <K, V> Map<K, V> copy(Map<K, V> map) {
        return map == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    static <T> Set<T> copy(Set<T> set) {
        return set == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(set));
    }

    /** Unknown fields: never null, so records compare equal whether or not the map was given. */
    static <V> Map<String, V> unknown(Map<String, V> map) {
        return map == null || map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /**
     * Go's {@code map[string]struct{}}, used by ExposedPorts and Volumes: a JSON object whose keys
     * are the members and whose values are all {@code {}}. Written with sorted keys, like Go.
     */
    static final class StringSetSerializer extends JsonSerializer<Set<String>> {
        @Override
        public void serialize(Set<String> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            for (String key : new TreeSet<>(value)) {
                gen.writeFieldName(key);
                gen.writeStartObject();
                gen.writeEndObject();
            }
            gen.writeEndObject();
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Set<String> value) {
            return value == null || value.isEmpty();
        }
    }

    static final class StringSetDeserializer extends JsonDeserializer<Set<String>> {
        @Override
        public Set<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return ctxt.reportInputMismatch(Set.class, "expected an object of {\"key\": {}} entries");
            }
            Set<String> keys = new LinkedHashSet<>();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                p.nextToken();
                // The values are empty structs in every writer; their content carries nothing.
                p.skipChildren();
                keys.add(name);
            }
            return Collections.unmodifiableSet(keys);
        }
    }
}
