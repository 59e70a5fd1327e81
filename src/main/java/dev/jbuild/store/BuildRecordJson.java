package dev.jbuild.store;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jbuild.image.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link BuildRecord} as one line of JSON, with Jackson's streaming layer (a data-binding mapper
 * would cost every build its start-up). Absent values are left out; readers skip fields they do not
 * know, so later versions may add fields without a new {@code version}:
 *
 * <pre>
 * {"version":1,"id":"5f0c2a9e41b7","started":"2026-12-07T08:30:01.123Z","finished":"…","durationSeconds":2.345,
 *  "user":{"name":"alice","uid":1000},"host":"ci-7",
 *  "invocation":{"tags":[…],"target":"app","platforms":["linux/amd64"],"buildArgs":["VERSION"],"secrets":["npmrc"],
 *                "dockerfile":"sha256:…"},
 *  "context":"sha256:…","materials":[{"uri":"pkg:docker/alpine@3.20?platform=linux%2Famd64","digest":{"sha256":"…"}}],
 *  "result":{"exitCode":0,"manifest":"sha256:…","config":"sha256:…","pushed":[…],"steps":4,"cached":2}}
 * </pre>
 */
final class BuildRecordJson {

    static final int VERSION = 1;

    private static final JsonFactory FACTORY = new JsonFactory();

    private BuildRecordJson() {}

    /** The record's line, without the newline (JSON escapes every line break inside strings). */
    static byte[] write(BuildRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator gen = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            gen.writeNumberField("version", VERSION);
            gen.writeStringField("id", record.id());
            gen.writeStringField("started", DateTimeFormatter.ISO_INSTANT.format(record.started()));
            gen.writeStringField("finished", DateTimeFormatter.ISO_INSTANT.format(record.finished()));
            gen.writeNumberField("durationSeconds", record.duration().toMillis() / 1000.0);
            gen.writeObjectFieldStart("user");
            optional(gen, "name", record.user());
            if (record.uid() != null) {
                gen.writeNumberField("uid", record.uid());
            }
            gen.writeEndObject();
            optional(gen, "host", record.host());
            BuildRecord.Invocation invocation = record.invocation();
            gen.writeObjectFieldStart("invocation");
            strings(gen, "tags", invocation.tags());
            optional(gen, "target", invocation.target());
            strings(gen, "platforms", invocation.platforms());
            strings(gen, "buildArgs", invocation.buildArgs());
            strings(gen, "secrets", invocation.secrets());
            optional(gen, "dockerfile", invocation.dockerfile());
            gen.writeEndObject();
            optional(gen, "context", record.context());
            gen.writeArrayFieldStart("materials");
            for (BuildRecord.Material material : record.materials()) {
                gen.writeStartObject();
                gen.writeStringField("uri", material.uri());
                gen.writeObjectFieldStart("digest");
                for (Map.Entry<String, String> digest : new TreeMap<>(material.digest()).entrySet()) {
                    gen.writeStringField(digest.getKey(), digest.getValue());
                }
                gen.writeEndObject();
                gen.writeEndObject();
            }
            gen.writeEndArray();
            BuildRecord.Outcome outcome = record.outcome();
            gen.writeObjectFieldStart("result");
            gen.writeNumberField("exitCode", outcome.exitCode());
            optional(gen, "error", outcome.error());
            optional(gen, "manifest", outcome.manifest());
            optional(gen, "config", outcome.config());
            strings(gen, "pushed", outcome.pushed());
            gen.writeNumberField("steps", outcome.steps());
            gen.writeNumberField("cached", outcome.cached());
            gen.writeEndObject();
            gen.writeEndObject();
        } catch (IOException e) {
            // Writing to memory does not fail.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void optional(JsonGenerator gen, String name, Object value) throws IOException {
        if (value != null) {
            gen.writeStringField(name, value.toString());
        }
    }

    private static void strings(JsonGenerator gen, String name, List<String> values) throws IOException {
        gen.writeArrayFieldStart(name);
        for (String value : values) {
            gen.writeString(value);
        }
        gen.writeEndArray();
    }

    /**
     * The record of one line; an {@link IOException} for a line that is not a whole record of this
     * version (a torn last line, a damaged file): the caller skips it.
     */
    static BuildRecord read(byte[] line) throws IOException {
        try (JsonParser parser = FACTORY.createParser(line)) {
            Map<String, Object> top = object(parser, parser.nextToken());
            if (parser.nextToken() != null) {
                throw new IOException("trailing data");
            }
            if (!Integer.valueOf(VERSION).equals(top.get("version"))) {
                throw new IOException("not a version " + VERSION + " record");
            }
            Map<String, Object> user = map(top.get("user"));
            Map<String, Object> invocation = map(top.get("invocation"));
            Map<String, Object> result = map(top.get("result"));
            List<BuildRecord.Material> materials = new ArrayList<>();
            for (Object item : list(top.get("materials"))) {
                Map<String, Object> material = map(item);
                Map<String, String> digests = new LinkedHashMap<>();
                map(material.get("digest")).forEach((algorithm, hex) -> digests.put(algorithm, text(hex)));
                materials.add(new BuildRecord.Material(required(text(material.get("uri"))), digests));
            }
            Object uid = user.get("uid");
            return new BuildRecord(required(text(top.get("id"))), Instant.parse(required(text(top.get("started")))),
                    Instant.parse(required(text(top.get("finished")))), text(user.get("name")),
                    uid == null ? null : ((Number) uid).longValue(), text(top.get("host")),
                    new BuildRecord.Invocation(strings(invocation.get("tags")), text(invocation.get("target")),
                            strings(invocation.get("platforms")), strings(invocation.get("buildArgs")),
                            strings(invocation.get("secrets")), digest(invocation.get("dockerfile"))),
                    digest(top.get("context")), materials,
                    new BuildRecord.Outcome(((Number) required(result.get("exitCode"))).intValue(), text(result.get("error")),
                            digest(result.get("manifest")), digest(result.get("config")), strings(result.get("pushed")),
                            number(result.get("steps")), number(result.get("cached"))));
        } catch (RuntimeException e) {
            // A value of the wrong type or form (ClassCastException, a bad time or digest).
            throw new IOException("not a build record: " + e.getMessage(), e);
        }
    }

    /** A JSON value as Maps, Lists, Strings, Numbers, Booleans and null. */
    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) {
            throw new IOException("unexpected end of line");
        }
        return switch (token) {
            case START_OBJECT -> object(parser, token);
            case START_ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    items.add(value(parser, t));
                }
                yield items;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
            case VALUE_TRUE, VALUE_FALSE -> parser.getBooleanValue();
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected " + token);
        };
    }

    private static Map<String, Object> object(JsonParser parser, JsonToken token) throws IOException {
        if (token != JsonToken.START_OBJECT) {
            throw new IOException("not a JSON object");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
            if (t != JsonToken.FIELD_NAME) {
                throw new IOException("unexpected end of line");
            }
            String name = parser.getCurrentName();
            fields.put(name, value(parser, parser.nextToken()));
        }
        return fields;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    private static List<String> strings(Object value) {
        return list(value).stream().map(v -> (String) v).toList();
    }

    private static String text(Object value) {
        return (String) value;
    }

    private static int number(Object value) {
        return value == null ? 0 : ((Number) value).intValue();
    }

    private static Digest digest(Object value) {
        return value == null ? null : Digest.parse((String) value);
    }

    private static <T> T required(T value) {
        if (value == null) {
            throw new IllegalArgumentException("a required field is missing");
        }
        return value;
    }
}
