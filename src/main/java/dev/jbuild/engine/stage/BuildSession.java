package dev.jbuild.engine.stage;

import dev.jbuild.context.UrlDownload;
import dev.jbuild.dockerfile.CheckRule;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.dockerfile.ShellExpansionException;
import dev.jbuild.dockerfile.ShellWords;
import dev.jbuild.dockerfile.Suggestions;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.cache.BuildCache;
import dev.jbuild.engine.cache.CacheMountLocks;
import dev.jbuild.engine.cache.CacheSources;
import dev.jbuild.engine.fs.LayerFiles;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.git.GitCredentials;
import dev.jbuild.git.GitFetcher;
import dev.jbuild.git.GitSource;
import dev.jbuild.git.SshSettings;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerResult;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every stage of one build shares: the request, the store, scratch space, and helpers.
 * Stages run concurrently, so everything here is immutable or thread-safe.
 */
public final class BuildSession {

    static final String HISTORY_COMMENT = "jbuild.dockerfile.v0";

    private final BuildRequest request;
    private final Store store;
    private final BuildListener listener;
    private final Path scratchDir;
    private final ShellWords words;
    /** The engine's findings already reported (a word is expanded for the key and again to run). */
    private final Set<Finding> reportedFindings = ConcurrentHashMap.newKeySet();
    private final LayerFiles layerFiles;
    /** The local build cache: records, and the digests of context files. */
    private final BuildCache cache;
    /** The time written into {@code created} fields: SOURCE_DATE_EPOCH when set, else the build's start. */
    private final Instant createdTime;
    /** The mtime of directories the build creates itself (no source to take it from). */
    private final Instant createdDirTime;
    /** The images, downloads and context files this build read. */
    public BuildMaterials materials() {
        return materials;
    }

    /** Keeps cache mounts' sharing modes between the stages of this build that run at once. */
    private final CacheMountLocks.InProcess cacheMountLocks = new CacheMountLocks.InProcess();
    /** What the build read from outside, for its provenance and build record. */
    private final BuildMaterials materials = new BuildMaterials();
    private HttpClient httpClient;
    private GitFetcher gitFetcher;
    /**
     * The commit each git source resolved to, asked once per build and shared by the platforms of a
     * multi-platform build: the step's key and its checkout, and every platform's image, must name the same
     * commit even if the branch moves meanwhile. Empty for an abbreviated id.
     */
    private final ConcurrentMap<GitSource, Optional<String>> gitCommits;
    /**
     * Steps run or looked up so far, and how many of them the cache answered: for the summary.
     * Atomic because stages run on several threads.
     */
    private final AtomicInteger steps = new AtomicInteger();
    private final AtomicInteger cachedSteps = new AtomicInteger();
    /** Numbers the steps of progress events; shared by the builder's sessions (one per platform). */
    private final AtomicInteger stepNumbers;
    /**
     * For one platform of a multi-platform build, its platform, put before the stage in progress
     * ({@code [linux/arm64 build 2/5]}, as BuildKit writes it) since the platforms build at once;
     * null for a single-platform build.
     */
    private final String platformLabel;

    public BuildSession(BuildRequest request, Store store, BuildListener listener, Path scratchDir, CacheOptions cacheOptions,
            CacheSources cacheSources, AtomicInteger stepNumbers, String platformLabel) {
        this(request, store, listener, scratchDir, cacheOptions, cacheSources, stepNumbers, platformLabel,
                new ConcurrentHashMap<>());
    }

    /** @param gitCommits the commits git sources resolved to, shared with the build's other platforms */
    public BuildSession(BuildRequest request, Store store, BuildListener listener, Path scratchDir, CacheOptions cacheOptions,
            CacheSources cacheSources, AtomicInteger stepNumbers, String platformLabel,
            ConcurrentMap<GitSource, Optional<String>> gitCommits) {
        this.gitCommits = gitCommits;
        this.stepNumbers = stepNumbers;
        this.platformLabel = platformLabel;
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

    public BuildRequest request() {
        return request;
    }

    public Store store() {
        return store;
    }

    public BuildListener listener() {
        return listener;
    }

    /** This build's scratch directory (downloads, heredoc scripts, probes); removed when the build ends. */
    public Path scratchDir() {
        return scratchDir;
    }

    /** The Dockerfile's word expansion, with its escape character. */
    public ShellWords words() {
        return words;
    }

    public LayerFiles layerFiles() {
        return layerFiles;
    }

    /** The local build cache: records, and the digests of context files. */
    public BuildCache cache() {
        return cache;
    }

    /** The time written into {@code created} fields: SOURCE_DATE_EPOCH when set, else the build's start. */
    public Instant createdTime() {
        return createdTime;
    }

    /** The mtime of directories the build creates itself (no source to take it from). */
    public Instant createdDirTime() {
        return createdDirTime;
    }

    /** Keeps cache mounts' sharing modes between the stages of this build that run at once. */
    public CacheMountLocks.InProcess cacheMountLocks() {
        return cacheMountLocks;
    }

    /** Steps run or looked up so far (for the summary). */
    public int steps() {
        return steps.get();
    }

    /** Of {@link #steps()}, how many the cache answered. */
    public int cachedSteps() {
        return cachedSteps.get();
    }

    /**
     * Reports a new step to the listener and returns its id for the events that follow. {@code stage}
     * is empty for the one stage of a single-stage Dockerfile ({@code [1/2] COPY ...}, as BuildKit).
     */
    public StepId startStep(String stage, int index, int count, String text) {
        StepId step = new StepId(stepNumbers.incrementAndGet());
        if (platformLabel == null) {
            listener.stepStarted(step, stage, index, count, text);
        } else if (stage.equals(BuildListener.PULL) || stage.equals(BuildListener.PUSH)) {
            listener.stepStarted(step, stage, index, count, text + " (" + platformLabel + ")"); // printers key on the stage
        } else {
            listener.stepStarted(step, stage.isEmpty() ? platformLabel : platformLabel + " " + stage, index, count, text);
        }
        return step;
    }

    /** Reports {@code step} done (or cached) and counts it for the summary. */
    public void finishStep(StepId step, boolean cached, long startedNanos) {
        steps.incrementAndGet();
        if (cached) {
            cachedSteps.incrementAndGet();
            listener.stepCached(step);
        } else {
            listener.stepFinished(step, Duration.ofNanos(System.nanoTime() - startedNanos));
        }
    }

    /** The client of the build's downloads ({@code ADD} URLs), for {@link UrlDownload}, which follows redirects itself. */
    public synchronized HttpClient httpClient() {
        if (httpClient == null) {
            httpClient = UrlDownload.newClient(request.proxies());
        }
        return httpClient;
    }

    /**
     * The build's git fetcher, with the {@code GIT_AUTH_TOKEN}/{@code GIT_AUTH_HEADER} secrets of the request and,
     * for SSH remotes, the agent forwarded as {@code default} (the id BuildKit's git sources mount) and the
     * request's known hosts.
     */
    public synchronized GitFetcher gitFetcher() throws IOException {
        if (gitFetcher == null) {
            SshSettings ssh = new SshSettings(request.sshSockets().get(SshSettings.AGENT_ID), request.sshKnownHosts());
            gitFetcher = new GitFetcher(GitCredentials.fromSecretFiles(request.secrets()), ssh, listener::warning);
        }
        return gitFetcher;
    }

    /**
     * The commit {@code source} names now ({@link GitFetcher#resolve}), the same for the whole build: asked
     * once, while the platforms that need it at the same time wait for that answer (two questions could get
     * two commits of a moving branch).
     */
    public Optional<String> gitCommit(GitSource source) throws IOException {
        try {
            return gitCommits.computeIfAbsent(source, s -> {
                try {
                    return gitFetcher().resolve(s);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Expands a word of the instruction at {@code location}; a variable that is not set is UndefinedVar's. */
    public String expand(String word, Map<String, String> scope, Location location) throws BuildException {
        try {
            ShellWords.Result result = words.process(word, scope);
            undefined(result.unmatched(), scope, location);
            return result.word();
        } catch (ShellExpansionException e) {
            throw new BuildException(location, e.getMessage(), e);
        }
    }

    /** A heredoc body with an unquoted delimiter, expanded as COPY writes it ({@link ShellWords#processHeredocBody}). */
    public String expandHeredocBody(String body, Map<String, String> scope, Location location) throws BuildException {
        try {
            ShellWords.Result result = ShellWords.processHeredocBody(body, scope);
            undefined(result.unmatched(), scope, location);
            return result.word();
        } catch (ShellExpansionException e) {
            throw new BuildException(location, e.getMessage(), e);
        }
    }

    public List<String> expandWords(String word, Map<String, String> scope, Location location) throws BuildException {
        try {
            ShellWords.Result result = words.process(word, scope);
            undefined(result.unmatched(), scope, location);
            return result.words();
        } catch (ShellExpansionException e) {
            throw new BuildException(location, e.getMessage(), e);
        }
    }

    /**
     * A build check's finding the engine made: reported through the listener when the build's check
     * options (and a {@code # check=} comment before the instruction) let it, once per build.
     */
    public void finding(Finding finding) {
        if (reportedFindings.add(finding)
                && !request.plan().checks().filter(List.of(finding), request.dockerfile().checkComments()).isEmpty()) {
            listener.finding(finding);
        }
    }

    /**
     * BuildKit's UndefinedVar: a variable a word of an instruction uses that neither the image's ENV nor
     * an ARG with a value defines, unless the stage declared it with ARG before (without a value: set
     * to nothing on purpose). The words are those the engine expands, as BuildKit's instructions that
     * expand theirs (not RUN's command, which the shell expands). Suggests the closest defined name.
     */
    private void undefined(Set<String> unmatched, Map<String, String> scope, Location location) {
        if (unmatched.isEmpty() || location == null) {
            return;
        }
        Set<String> declared = argsDeclaredBefore(location);
        for (String name : unmatched) {
            if (!declared.contains(name)) {
                finding(CheckRule.UNDEFINED_VAR.at(location,
                        CheckRule.undefinedVar(name, Suggestions.closest(name, new TreeSet<>(scope.keySet()), true))));
            }
        }
    }

    /** The ARG names the stage of the instruction at {@code location} declared before it, as written. */
    private Set<String> argsDeclaredBefore(Location location) {
        Set<String> declared = new HashSet<>();
        for (Instruction instruction : request.dockerfile().instructions()) {
            if (!instruction.location().file().equals(location.file())
                    || instruction.location().startLine() >= location.startLine()) {
                break;
            }
            if (instruction instanceof Instruction.From) {
                declared.clear();
            } else if (instruction instanceof Instruction.Arg arg) {
                arg.declarations().forEach(d -> declared.add(d.name()));
            }
        }
        return declared;
    }

    /** Writes {@code entries} as a layer blob into the store. */
    public LayerRecord writeLayer(StepId step, Collection<? extends LayerEntry> entries) throws IOException {
        LayerWriter writer = new LayerWriter(new LayerWriter.Options(
                request.compression(), -1, Runtime.getRuntime().availableProcessors(), request.sourceDateEpoch()));
        long started = System.nanoTime();
        try (BlobWriter blob = store.blobWriter()) {
            LayerResult result = writer.write(entries, blob,
                    (done, total) -> listener.progress(step, BuildListener.Work.COMPRESS, "layer", done, total));
            Digest digest = blob.commit();
            listener.layerWritten(step, digest.toString(), result.uncompressedSize(),
                    request.compression().name().toLowerCase(Locale.ROOT), result.compressedSize(),
                    Duration.ofNanos(System.nanoTime() - started));
            return new LayerRecord(new Descriptor(result.mediaType(), digest, result.compressedSize()),
                    Digest.parse(result.diffId()));
        }
    }

    public ImageConfig.History history(String createdBy, boolean emptyLayer) {
        return new ImageConfig.History(ImageConfig.formatTime(createdTime), createdBy, HISTORY_COMMENT, emptyLayer);
    }
}
