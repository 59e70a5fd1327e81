package dev.jbuild.build;

import dev.jbuild.dockerfile.Location;
import dev.jbuild.dockerfile.ShellExpansionException;
import dev.jbuild.dockerfile.ShellWords;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerResult;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** What every stage of one build shares: the request, the store, scratch space, and helpers. */
final class BuildSession {

    static final String HISTORY_COMMENT = "jbuild.dockerfile.v0";

    final BuildRequest request;
    final Store store;
    final BuildListener listener;
    final Path scratchDir;
    final ShellWords words;
    final LayerFiles layerFiles;
    /** The local build cache: records, and the digests of context files. */
    final BuildCache cache;
    /** The time written into {@code created} fields: SOURCE_DATE_EPOCH when set, else the build's start. */
    final Instant createdTime;
    /** The mtime of directories the build creates itself (no source to take it from). */
    final Instant createdDirTime;
    private HttpClient httpClient;
    /** Steps run or looked up so far, and how many of them the cache answered: for the summary. */
    int steps;
    int cachedSteps;

    BuildSession(BuildRequest request, Store store, BuildListener listener, Path scratchDir) {
        this(request, store, listener, scratchDir, CacheOptions.DEFAULT, new CacheSources(java.util.List.of(), null, listener));
    }

    BuildSession(BuildRequest request, Store store, BuildListener listener, Path scratchDir, CacheOptions cacheOptions,
            CacheSources cacheSources) {
        this.request = request;
        this.store = store;
        this.listener = listener;
        this.scratchDir = scratchDir;
        this.words = new ShellWords(request.dockerfile().escape());
        this.layerFiles = new LayerFiles(store, scratchDir);
        this.cache = new BuildCache(store, cacheOptions, listener, cacheSources, request.platform());
        this.createdTime = request.sourceDateEpoch() != null ? request.sourceDateEpoch() : Instant.now();
        // Fixed rather than "now" so that rebuilding gives the same layer without SOURCE_DATE_EPOCH too.
        this.createdDirTime = request.sourceDateEpoch() != null ? request.sourceDateEpoch() : Instant.EPOCH;
    }

    synchronized HttpClient httpClient() {
        if (httpClient == null) {
            httpClient = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        return httpClient;
    }

    String expand(String word, Map<String, String> scope, Location location) throws BuildException {
        try {
            return words.expand(word, scope);
        } catch (ShellExpansionException e) {
            throw new BuildException(location, e.getMessage(), e);
        }
    }

    List<String> expandWords(String word, Map<String, String> scope, Location location) throws BuildException {
        try {
            return words.expandWords(word, scope);
        } catch (ShellExpansionException e) {
            throw new BuildException(location, e.getMessage(), e);
        }
    }

    /** Writes {@code entries} as a layer blob into the store. */
    LayerRecord writeLayer(Collection<? extends LayerEntry> entries) throws IOException {
        LayerWriter writer = new LayerWriter(new LayerWriter.Options(
                request.compression(), -1, Runtime.getRuntime().availableProcessors(), request.sourceDateEpoch()));
        long started = System.nanoTime();
        try (BlobWriter blob = store.blobWriter()) {
            LayerResult result = writer.write(entries, blob);
            Digest digest = blob.commit();
            double seconds = Math.max((System.nanoTime() - started) / 1e9, 0.001);
            listener.log(String.format(java.util.Locale.ROOT, "layer %s: %.1f MB, %s %.1f MB, in %.1fs (%.1f MB/s)",
                    digest.shortHex(), result.uncompressedSize() / 1e6, request.compression().name().toLowerCase(java.util.Locale.ROOT),
                    result.compressedSize() / 1e6, seconds, result.uncompressedSize() / 1e6 / seconds));
            return new LayerRecord(new Descriptor(result.mediaType(), digest, result.compressedSize()),
                    Digest.parse(result.diffId()));
        }
    }

    ImageConfig.History history(String createdBy, boolean emptyLayer) {
        return new ImageConfig.History(ImageConfig.formatTime(createdTime), createdBy, HISTORY_COMMENT, emptyLayer);
    }
}
