package dev.jbuild.engine.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.fs.LayerIndex;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.registry.PushResult;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The build cache in a registry (docs/caching.md, "Cache format"): {@code --cache-to
 * type=registry,ref=REF} pushes
 *
 * <pre>
 * REF → OCI index  (annotation dev.jbuild.cache.format=1)
 *         └ OCI image manifest
 *             ├ config: application/vnd.jbuild.cache.config.v1+json
 *             │         {"format":"jbuild-cache","version":1,"records":{KEY: record, …}}
 *             └ layers: the layers the records name, each once, sorted by digest
 * </pre>
 *
 * and {@code --cache-from type=registry,ref=REF} reads it, or the records an image built with
 * {@code --cache-to type=inline} carries in its config under {@value #INLINE_FIELD}. Importing
 * reads the small documents once, keeps the records in memory, and downloads a record's layer only
 * when a step hits it. What a registry serves is not trusted: records whose key is not 64 hex
 * digits, that do not parse, or that name a layer the manifest does not list are dropped with a
 * warning; layers are verified by digest and size while streaming; a record reaches the store
 * re-encoded from what was parsed, never as the bytes received.
 */
public final class RegistryCache implements CacheSource {

    static final String CONFIG_MEDIA_TYPE = "application/vnd.jbuild.cache.config.v1+json";
    /** On the index, so a reader (and a person with skopeo) can tell a cache from an image. */
    static final String FORMAT_ANNOTATION = "dev.jbuild.cache.format";
    static final String FORMAT_VERSION = "1";
    /** The image-config field of {@code --cache-to type=inline}. */
    static final String INLINE_FIELD = "jbuild.cache.v1";
    /**
     * The largest cache config read (a record is 1 to 3 KB, so this is thousands of steps); a
     * registry cannot make a build read more into memory.
     */
    static final long MAX_CONFIG_BYTES = 32L << 20;
    /**
     * The file index of a layer ({@link LayerIndex}'s format), a blob of the cache's manifest with
     * the layer's diff_id in {@value #DIFF_ID_ANNOTATION}: a build keys a {@code COPY --from} on
     * the index instead of downloading the layer.
     */
    static final String LAYER_INDEX_MEDIA_TYPE = "application/vnd.jbuild.layer-index.v1";
    static final String DIFF_ID_ANNOTATION = "dev.jbuild.diff-id";
    /** The largest file index read (about 100 bytes a file). */
    static final long MAX_LAYER_INDEX_BYTES = 64L << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Records of one cache (or of one platform's image) that passed the checks, and where their layers are. */
    private record Loaded(Map<String, BuildCache.Entry> entries, Map<Digest, Descriptor> layerIndexes) {
        static final Loaded EMPTY = new Loaded(Map.of(), Map.of());
    }

    private final ImageName ref;
    private final ImageTransfer transfer;
    private final BuildListener listener;
    private boolean fetched;
    private Document<ManifestOrIndex> root;
    private Loaded cache;
    /** For an image with inline cache: its records per platform built, each resolved once. */
    private final Map<Platform, Loaded> inline = new HashMap<>();

    RegistryCache(ImageName ref, ImageTransfer transfer, BuildListener listener) {
        this.ref = ref;
        this.transfer = transfer;
        this.listener = listener;
    }

    @Override
    public String describe() {
        return ref.toString();
    }

    @Override
    public Optional<BuildCache.Entry> record(String key, Platform platform) {
        return Optional.ofNullable(records(platform).entries().get(key));
    }

    @Override
    public void fetchLayer(LayerRecord layer, Store store) throws IOException {
        transfer.fetchBlob(ref, layer.descriptor());
    }

    /** The repository this cache is in (its layers can be mounted or found there). */
    ImageName reference() {
        return ref;
    }

    @Override
    public void fetchLayerIndex(LayerRecord layer, Store store) {
        Loaded loaded;
        synchronized (this) {
            loaded = cache;
        }
        Descriptor index = loaded == null ? null : loaded.layerIndexes().get(layer.diffId());
        if (index == null || LayerIndex.has(store, layer.diffId())) {
            return;
        }
        try {
            if (index.size() > MAX_LAYER_INDEX_BYTES) {
                throw new IOException(index.size() + " bytes is more than the " + MAX_LAYER_INDEX_BYTES + " allowed");
            }
            LayerIndex.install(store, layer.diffId(), transfer.fetchBytes(ref, index));
        } catch (IOException | RuntimeException e) {
            // Only costs the layer's download when a step needs its files.
            listener.warning("file index of layer " + layer.diffId() + " from " + ref + " not used: " + e.getMessage());
        }
    }

    /** The usable records for {@code platform}, fetched on first use; never fails (a warning says why it is empty). */
    private synchronized Loaded records(Platform platform) {
        if (transfer == null) {
            return Loaded.EMPTY;
        }
        if (!fetched) {
            fetched = true;
            try {
                root = transfer.fetchManifest(ref);
            } catch (RegistryException e) {
                listener.warning(e.statusCode() == 404
                        ? "cache " + ref + " not found: importing nothing from it (the first build that exports it creates it)"
                        : "cannot import cache " + ref + ": " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                listener.warning("cannot import cache " + ref + ": " + e.getMessage());
            }
        }
        if (root == null) {
            return Loaded.EMPTY;
        }
        if (root.value() instanceof Index index && FORMAT_VERSION.equals(annotation(index))) {
            if (cache == null) {
                cache = guarded(() -> loadCache(index));
            }
            return cache;
        }
        return inline.computeIfAbsent(platform, p -> guarded(() -> loadInline(p)));
    }

    private interface Load {
        Loaded load() throws IOException;
    }

    private Loaded guarded(Load load) {
        try {
            return load.load();
        } catch (IOException | RuntimeException e) {
            listener.warning("cannot import cache " + ref + ": " + e.getMessage());
            return Loaded.EMPTY;
        }
    }

    private static String annotation(Index index) {
        return index.annotations() == null ? null : index.annotations().get(FORMAT_ANNOTATION);
    }

    private Loaded loadCache(Index index) throws IOException {
        if (index.manifests().size() != 1 || !MediaTypes.OCI_MANIFEST.equals(index.manifests().get(0).mediaType())) {
            throw new IOException("not a jbuild cache: its index should list exactly one OCI image manifest");
        }
        Descriptor child = index.manifests().get(0);
        Document<ManifestOrIndex> doc = transfer.fetchManifest(
                new ImageName(ref.registry(), ref.repository(), ref.tag(), child.digest().toString()));
        if (!(doc.value() instanceof Manifest manifest) || doc.size() != child.size()) {
            throw new IOException("not a jbuild cache: " + child.digest() + " is not the image manifest its index describes");
        }
        Descriptor config = manifest.config();
        if (!CONFIG_MEDIA_TYPE.equals(config.mediaType())) {
            throw new IOException("not a jbuild cache: its config is " + config.mediaType() + ", not " + CONFIG_MEDIA_TYPE);
        }
        if (config.size() > MAX_CONFIG_BYTES) {
            throw new IOException("its cache config is " + config.size() + " bytes; refusing to read more than " + MAX_CONFIG_BYTES);
        }
        JsonNode tree = MAPPER.readTree(transfer.fetchBytes(ref, config));
        if (tree == null || !"jbuild-cache".equals(tree.path("format").asText()) || tree.path("version").asInt() != 1
                || !tree.path("records").isObject()) {
            throw new IOException("its cache config is not {\"format\":\"jbuild-cache\",\"version\":1,\"records\":{...}}");
        }
        Loaded loaded = validated(tree.get("records"), manifest.layers());
        Map<Digest, Descriptor> indexes = new HashMap<>();
        for (Descriptor blob : manifest.layers()) {
            String diffId = blob.annotations() == null ? null : blob.annotations().get(DIFF_ID_ANNOTATION);
            if (LAYER_INDEX_MEDIA_TYPE.equals(blob.mediaType()) && diffId != null) {
                try {
                    indexes.put(Digest.parse(diffId), blob);
                } catch (RuntimeException e) {
                    // not a digest: no index for it
                }
            }
        }
        return new Loaded(loaded.entries(), Map.copyOf(indexes));
    }

    private Loaded loadInline(Platform platform) throws IOException {
        Manifest manifest;
        if (root.value() instanceof Manifest m) {
            manifest = m;
        } else {
            manifest = transfer.resolve(ref, platform).manifest().value();
        }
        if (!MediaTypes.isConfig(manifest.config().mediaType())) {
            throw new IOException("neither a jbuild cache nor an image (its config is " + manifest.config().mediaType() + ")");
        }
        JsonNode config = MAPPER.readTree(transfer.fetchBytes(ref, manifest.config()));
        JsonNode records = config == null ? null : config.get(INLINE_FIELD);
        if (records == null || !records.isObject()) {
            throw new IOException("the image has no inline cache (build it with --cache-to type=inline)"
                    + " and is not a cache exported with --cache-to type=registry");
        }
        return validated(records, manifest.layers());
    }

    /** The records that pass every check; one warning says how many did not, and why the first failed. */
    private Loaded validated(JsonNode records, List<Descriptor> layers) {
        Map<Digest, Descriptor> listed = new HashMap<>();
        layers.forEach(l -> listed.put(l.digest(), l));
        Map<String, BuildCache.Entry> entries = new LinkedHashMap<>();
        int rejected = 0;
        String firstReason = null;
        var fields = records.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String reason = null;
            if (!CacheSources.KEY.matcher(field.getKey()).matches()) {
                reason = "key " + abbreviate(field.getKey()) + " is not 64 hex digits";
            } else {
                try {
                    BuildCache.Entry entry = BuildCache.parse(MAPPER.writeValueAsBytes(field.getValue()));
                    reason = layerProblem(entry, listed);
                    if (reason == null) {
                        entries.put(field.getKey(), entry);
                    }
                } catch (IOException | RuntimeException e) {
                    reason = "record " + field.getKey() + " is unreadable: " + e.getMessage();
                }
            }
            if (reason != null) {
                rejected++;
                firstReason = firstReason == null ? reason : firstReason;
            }
        }
        if (rejected > 0) {
            listener.warning("ignoring " + rejected + " of " + records.size() + " cache records of " + ref + " (" + firstReason + ")");
        }
        return new Loaded(Map.copyOf(entries), Map.of());
    }

    private static String layerProblem(BuildCache.Entry entry, Map<Digest, Descriptor> listed) {
        if (entry.layer() == null) {
            return null;
        }
        Descriptor layer = entry.layer().descriptor();
        Descriptor inManifest = listed.get(layer.digest());
        if (inManifest == null || inManifest.size() != layer.size() || !MediaTypes.isLayer(layer.mediaType())
                || MediaTypes.isForeignLayer(layer.mediaType()) || !layer.mediaType().equals(inManifest.mediaType())) {
            return "a record names layer " + layer.digest() + ", which its manifest does not list as such";
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() > 20 ? text.substring(0, 20) + "…" : text;
    }

    // ---- export ---------------------------------------------------------------------------------

    /**
     * Pushes the records of {@code keys} (those the store still has, with their layers) as the cache
     * {@code ref}. The documents are put into the store first so that {@link ImageTransfer#push}
     * sends them like an image (blobs the registry has are skipped, others mounted or uploaded in
     * chunks, with retries); nothing references them there, so {@code jbuild prune} removes them.
     */
    static PushResult export(Store store, CacheSources sources, Collection<String> keys, ImageName ref,
            ImageTransfer transfer, Map<Digest, ImageName> mountSources) throws IOException {
        Map<String, JsonNode> records = new TreeMap<>();
        Map<Digest, Descriptor> layers = new TreeMap<>();
        Map<Digest, Descriptor> indexes = new TreeMap<>();
        for (Map.Entry<String, Stored> stored : storedRecords(sources, keys).entrySet()) {
            LayerRecord layer = stored.getValue().entry().layer();
            if (layer != null) {
                Descriptor d = layer.descriptor();
                // A layer a hit left in this same repository stays there: the push finds it present.
                boolean thereAlready = sources.pendingIn(d.digest())
                        .filter(from -> from.registry().equals(ref.registry()) && from.repository().equals(ref.repository()))
                        .isPresent();
                if (!thereAlready && !store.ensure(d.digest())) {
                    continue;
                }
                layers.put(d.digest(), new Descriptor(d.mediaType(), d.digest(), d.size()));
                if (!thereAlready && !LayerIndex.has(store, layer.diffId())) {
                    new LayerIndex(store).entries(layer); // made once from the blob, kept in cache/layer-index
                }
                if (LayerIndex.has(store, layer.diffId())) {
                    Descriptor index = store.putBytes(LAYER_INDEX_MEDIA_TYPE,
                            Files.readAllBytes(LayerIndex.file(store, layer.diffId())));
                    indexes.put(index.digest(), index.withAnnotations(Map.of(DIFF_ID_ANNOTATION, layer.diffId().toString())));
                }
            }
            records.put(stored.getKey(), stored.getValue().json());
        }
        List<Descriptor> blobs = new ArrayList<>(layers.values());
        blobs.addAll(indexes.values());
        ObjectNode document = MAPPER.createObjectNode();
        document.put("format", "jbuild-cache");
        document.put("version", 1);
        ObjectNode recordsNode = document.putObject("records");
        records.forEach(recordsNode::set);
        Descriptor config = store.putBytes(CONFIG_MEDIA_TYPE, MAPPER.writeValueAsBytes(document));
        Manifest manifest = new Manifest(MediaTypes.OCI_MANIFEST, config, blobs);
        Descriptor manifestDescriptor = store.putBytes(MediaTypes.OCI_MANIFEST, ImageDocuments.encode(manifest).bytes())
                .withArtifactType(CONFIG_MEDIA_TYPE);
        Index index = new Index(MediaTypes.OCI_INDEX, List.of(manifestDescriptor))
                .withAnnotations(Map.of(FORMAT_ANNOTATION, FORMAT_VERSION));
        Descriptor indexDescriptor = store.putBytes(MediaTypes.OCI_INDEX, ImageDocuments.encode(index).bytes());
        return transfer.push(indexDescriptor, ref, mountSources);
    }

    /**
     * {@code config} with the records of {@code keys} under {@value #INLINE_FIELD}, keys sorted so the
     * same records give the same digest. Only records whose layer is one of the image's own
     * ({@code layers}) go in: an importer can download nothing else from the image's repository.
     */
    public static ImageConfig inline(CacheSources sources, ImageConfig config, Collection<String> keys, Collection<Descriptor> layers)
            throws IOException {
        Set<Digest> own = new HashSet<>();
        layers.forEach(l -> own.add(l.digest()));
        Map<String, JsonNode> records = new TreeMap<>();
        storedRecords(sources, keys).forEach((key, stored) -> {
            LayerRecord layer = stored.entry().layer();
            if (layer == null || own.contains(layer.descriptor().digest())) {
                records.put(key, stored.json());
            }
        });
        ObjectNode node = MAPPER.createObjectNode();
        records.forEach(node::set);
        return config.withExtraField(INLINE_FIELD, node);
    }

    /** A record of the store: parsed, and as JSON for a cache document. */
    private record Stored(BuildCache.Entry entry, JsonNode json) {}

    /** The records of {@code keys} the build has (in the store or hit in a source) and can read, by key in order. */
    private static Map<String, Stored> storedRecords(CacheSources sources, Collection<String> keys) throws IOException {
        Map<String, Stored> records = new TreeMap<>();
        for (String key : keys) {
            Optional<byte[]> bytes = sources.record(key);
            if (bytes.isEmpty()) {
                continue;
            }
            try {
                records.put(key, new Stored(BuildCache.parse(bytes.get()), MAPPER.readTree(bytes.get())));
            } catch (IOException | RuntimeException e) {
                // an unreadable record is a miss for builds too; it is not exported
            }
        }
        return records;
    }
}
