package dev.jbuild.engine.cache;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.fs.FileDigests;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Platform;
import dev.jbuild.plan.Stage;
import dev.jbuild.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The local build cache: one record per step key under {@code $JBUILD_ROOT/cache/records/}, holding
 * what the step produced, so that a later build with the same key does no work for it:
 *
 * <pre>
 * {"version":1,
 *  "layer":{descriptor of the layer blob},"diffId":"sha256:…","whiteouts":false,   (absent: no layer)
 *  "history":{the step's history entry, with the time it was first built},
 *  "config":{the image config after the step, without history and rootfs}}
 * </pre>
 *
 * A record is written after the layer blob it names is durable in the store, atomically, and never
 * changed afterwards, so concurrent builds share records without a lock. A record whose blob is
 * missing (removed by a prune) or that cannot be read is a miss.
 */
public final class BuildCache {

    /** Jackson's streaming layer with its defaults: what the records were written with from the start. */
    private static final JsonFactory RECORD_JSON = new JsonFactory();

    /** What a step produced. {@code layer} is null for a step without a layer. */
    public record Entry(LayerRecord layer, boolean whiteouts, ImageConfig.History history, ImageConfig config) {}

    private final Store store;
    private final CacheOptions options;
    private final FileDigests files;
    private final BuildListener listener;
    /** {@code --cache-from}: asked for keys the store has no record of. */
    private final CacheSources sources;
    private final Platform platform;
    /** Set once the first failed write was reported: one warning per build, whichever stage hits it. */
    private final AtomicBoolean warnedWrite = new AtomicBoolean();
    /**
     * The keys this build used or made, by stage index, for {@code --cache-to}. Stages run
     * concurrently, so every call names its stage (no "current stage" field) and the map is concurrent.
     */
    private final Map<Integer, Set<String>> keysByStage = new ConcurrentHashMap<>();

    public BuildCache(Store store, CacheOptions options, BuildListener listener, CacheSources sources,
            Platform platform) {
        this.store = store;
        this.options = options;
        this.files = new FileDigests(store);
        this.listener = listener;
        this.sources = sources;
        this.platform = platform;
    }

    public FileDigests files() {
        return files;
    }

    /** Whether steps of {@code stage} may come from the cache. */
    public boolean lookups(Stage stage) {
        if (options.noCache()) {
            return false;
        }
        for (String name : options.noCacheFor()) {
            if (name.equals(Integer.toString(stage.index()))
                    || stage.name() != null && stage.name().equalsIgnoreCase(name.toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /** The record of {@code key}, looked up for a step of stage {@code stage} (counted for --cache-to). */
    public Optional<Entry> lookup(int stage, String key) {
        try {
            Optional<byte[]> bytes = store.readCacheRecord(key);
            if (bytes.isEmpty()) {
                bytes = sources.importRecord(key, platform);
            }
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            used(stage, key);
            Entry entry = parse(bytes.get());
            if (entry.layer() != null && !sources.available(entry.layer().descriptor().digest())) {
                return Optional.empty();
            }
            store.touchCacheRecord(key);
            return Optional.of(entry);
        } catch (IOException | RuntimeException e) {
            listener.warning("ignoring unreadable cache record " + key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    public void save(int stage, String key, Entry entry) {
        used(stage, key);
        try {
            store.writeCacheRecord(key, encode(entry));
        } catch (IOException e) {
            if (warnedWrite.compareAndSet(false, true)) {
                listener.warning("could not write to the build cache: " + e.getMessage());
            }
        }
    }

    private void used(int stage, String key) {
        keysByStage.computeIfAbsent(stage, k -> Collections.synchronizedSet(new LinkedHashSet<>())).add(key);
    }

    /**
     * The keys this build used or made in {@code stages} ({@code allStages}: in every stage), for
     * {@code --cache-to}.
     */
    public Set<String> keys(Set<Integer> stages, boolean allStages) {
        Set<String> keys = new LinkedHashSet<>();
        // By stage index, so the export does not depend on which stage finished first.
        new TreeMap<>(keysByStage).forEach((stage, stageKeys) -> {
            if (allStages || stages.contains(stage)) {
                synchronized (stageKeys) {
                    keys.addAll(stageKeys);
                }
            }
        });
        return keys;
    }

    /** Saves what was learnt about context files; failures only cost time next build. */
    public void close() {
        try {
            files.save();
        } catch (IOException e) {
            listener.warning("could not save the context digest cache: " + e.getMessage());
        }
    }

    /**
     * A record as JSON: {@code version}, the layer's descriptor, diff id and whiteout flag, the history
     * entry and the config, each part in the shape its canonical bytes have. Written and read with the
     * streaming parser and generator alone: an ObjectMapper and its tree cost a warm build ~15 ms of
     * start-up for documents this small (docs/performance.md). The bytes are those the mapper's tree wrote
     * before ({@code BuildCacheRecordTest} keeps them equal), so records in existing stores and cache
     * exports stay valid.
     */
    static byte[] encode(Entry entry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = RECORD_JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("version", 1);
            if (entry.layer() != null) {
                json.writeFieldName("layer");
                copy(ImageDocuments.canonicalBytes(entry.layer().descriptor()), json);
                json.writeStringField("diffId", entry.layer().diffId().toString());
                json.writeBooleanField("whiteouts", entry.whiteouts());
            }
            json.writeFieldName("history");
            copy(ImageDocuments.canonicalBytes(entry.history()), json);
            json.writeFieldName("config");
            copy(ImageDocuments.canonicalBytes(entry.config()), json);
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    public static Entry parse(byte[] bytes) throws IOException {
        byte[] layer = null;
        byte[] history = null;
        byte[] config = null;
        String diffId = "";
        boolean whiteouts = false;
        int version = 0;
        try (JsonParser json = RECORD_JSON.createParser(bytes)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("unknown record version");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "version" -> version = json.getValueAsInt(0);
                    case "layer" -> layer = value == JsonToken.VALUE_NULL ? null : part(json);
                    case "diffId" -> diffId = value.isScalarValue() ? json.getValueAsString("") : skip(json, "");
                    case "whiteouts" -> whiteouts = json.getValueAsBoolean(false);
                    case "history" -> history = part(json);
                    case "config" -> config = part(json);
                    default -> json.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new IOException(ImageDocuments.describe(e), e);
        }
        if (version != 1) {
            throw new IOException("unknown record version");
        }
        LayerRecord layerRecord = null;
        if (layer != null) {
            layerRecord = new LayerRecord(ImageDocuments.parsePart(layer, Descriptor.class), Digest.parse(diffId));
        }
        return new Entry(layerRecord, whiteouts,
                ImageDocuments.parsePart(history == null ? NULL : history, ImageConfig.History.class),
                ImageDocuments.parseConfig(config == null ? NULL : config).value());
    }

    /** What a missing part was read as before: JSON null. */
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    /** The value at the parser as bytes of their own, written as the generator writes it. */
    private static byte[] part(JsonParser json) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator copy = RECORD_JSON.createGenerator(out)) {
            copy.copyCurrentStructure(json);
        }
        return out.toByteArray();
    }

    private static <T> T skip(JsonParser json, T value) throws IOException {
        json.skipChildren();
        return value;
    }

    private static void copy(byte[] document, JsonGenerator json) throws IOException {
        try (JsonParser parser = RECORD_JSON.createParser(document)) {
            parser.nextToken();
            json.copyCurrentStructure(parser);
        }
    }
}
