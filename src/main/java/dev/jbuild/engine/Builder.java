package dev.jbuild.engine;

import dev.jbuild.dockerfile.CheckRule;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.cache.CacheExports;
import dev.jbuild.engine.cache.CacheSources;
import dev.jbuild.engine.cache.RegistryCache;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.engine.stage.BaseImages;
import dev.jbuild.engine.stage.BuildMaterials;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.engine.stage.RootfsLayers;
import dev.jbuild.engine.stage.StageGraph;
import dev.jbuild.engine.stage.StageSources;
import dev.jbuild.git.GitSource;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.plan.BaseImage;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.Stage;
import dev.jbuild.registry.PushResult;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Executes a build plan: each stage from its base through its instructions, then the target
 * stage's image is written to the store (config, manifest, tags) and to the requested outputs.
 * This is the package's entry point.
 */
public final class Builder {

    private final Store store;
    private final BuildListener listener;
    private final ImageTransfer transfer;
    private CacheOptions cacheOptions = CacheOptions.DEFAULT;
    /** Numbers the steps of all builds of this builder (the platforms of one build count on). */
    private final AtomicInteger stepNumbers = new AtomicInteger();
    private int parallelism = StageGraph.defaultParallelism();
    /** Registry transfers run one at a time in a build, whichever platform needs them (BuildListener#PULL). */
    private final ReentrantLock transferLock = new ReentrantLock();
    /** The commit each git source names, resolved once for every platform of a build (BuildSession#gitCommit). */
    private final ConcurrentMap<GitSource, Optional<String>> gitCommits = new ConcurrentHashMap<>();
    /** The --cache-from sources, shared by every platform of a build so each is read once. */
    private CacheSources cacheSources;

    /** @param transfer registry access for bases that are not in the store and for --push; null for none */
    public Builder(Store store, BuildListener listener, ImageTransfer transfer) {
        this.store = store;
        this.listener = listener;
        this.transfer = transfer;
        this.cacheSources = new CacheSources(List.of(), transfer, listener, store);
    }

    /** How builds of this builder use the local build cache (default: look up and record every step). */
    public Builder withCacheOptions(CacheOptions options) {
        this.cacheOptions = options;
        this.cacheSources = new CacheSources(options.importFrom(), transfer, listener, store);
        return this;
    }

    /** How many stages may run at once (default: the cores, at least 2); 1 runs them one at a time. */
    Builder withParallelism(int stages) {
        this.parallelism = stages;
        return this;
    }

    /**
     * Runs the build. The store is held in shared use meanwhile, so a garbage collection cannot
     * remove what the build reads or has written but not yet tagged.
     */
    public BuildResult build(BuildRequest request) throws BuildException {
        if (request.attestations().any()) {
            return buildPlatforms(List.of(request)); // the image and its attestations are joined in an index
        }
        try (Store.Use use = store.sharedUse()) {
            CacheExports exports = new CacheExports(cacheOptions.exportTo());
            BuildResult built = buildInStore(request, exports, null, new BuildMaterials(), null).result();
            exports.export(store.withBlobFallback(cacheSources), cacheSources, transfer, listener, built,
                    () -> new StepId(stepNumbers.incrementAndGet()));
            return built;
        } catch (IOException e) {
            throw new BuildException(null, "cannot use the store: " + e.getMessage(), e);
        }
    }

    /**
     * The build checks only the engine can make (InvalidBaseImagePlatform, UndefinedVar, CopyIgnoredFile) for
     * each request's platform, without building, as BuildKit's lint subrequest converts the whole Dockerfile:
     * each stage's base image is resolved (from the store, else pulled as a build would), its metadata
     * instructions are applied and every step's inputs are read as for its cache key, but no step runs and
     * nothing is written. The findings go to the listener ({@link BuildListener#finding}); a problem a build
     * would report at a step is left to the build.
     */
    public void check(List<BuildRequest> requests) throws BuildException {
        try (Store.Use use = store.sharedUse()) {
            for (BuildRequest request : requests) {
                Path scratch = store.createTemporaryDirectory("check");
                try {
                    BuildSession session = new BuildSession(request, store.withBlobFallback(cacheSources), listener, scratch,
                            cacheOptions, cacheSources, stepNumbers, null, gitCommits);
                    BaseImages images = new BaseImages(session, transfer, transferLock);
                    try (RootfsLayers rootfs = new RootfsLayers(session)) {
                        runStages(session, images, rootfs, new StageGraph(request.plan().stages(), parallelism), true);
                    } finally {
                        session.cache().close();
                    }
                } finally {
                    store.deleteTemporaryDirectory(scratch);
                }
            }
        } catch (IOException e) {
            throw new BuildException(null, e.getMessage(), e);
        }
    }

    /**
     * Builds the same Dockerfile for several platforms, one request each (they differ in platform
     * and plan), and joins the images in one OCI index, followed by their attestation manifests when
     * the requests ask for attestations (then also for one platform, as BuildKit does). The names,
     * outputs and push of the first request apply to the index. A RUN for a platform the host cannot
     * execute fails clearly.
     */
    public BuildResult buildPlatforms(List<BuildRequest> requests) throws BuildException {
        if (requests.size() == 1 && !requests.get(0).attestations().any()) {
            return build(requests.get(0));
        }
        BuildRequest first = requests.get(0);
        try (Store.Use use = store.sharedUse()) {
            CacheExports exports = new CacheExports(cacheOptions.exportTo());
            List<Descriptor> manifests = new ArrayList<>();
            List<Platform> platforms = new ArrayList<>();
            int steps = 0;
            int cached = 0;
            long size = 0;
            int layers = 0;
            BuildMaterials materials = new BuildMaterials();
            ImageAttestations.Run run = new ImageAttestations.Run(UUID.randomUUID().toString(), Instant.now());
            List<PlatformImage> parts = buildPlatformParts(requests, exports, materials, run);
            List<Descriptor> attestations = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                BuildRequest request = requests.get(i);
                BuildResult part = parts.get(i).result();
                if (parts.get(i).attestation() != null) {
                    attestations.add(parts.get(i).attestation());
                }
                manifests.add(part.manifest().withPlatform(request.platform()));
                platforms.add(request.platform());
                steps += part.steps();
                cached += part.cached();
                size += part.size();
                layers += part.layers();
            }
            // Attestation manifests come after every runnable manifest (BuildKit's attestation storage).
            manifests.addAll(attestations);
            Index index = new Index(MediaTypes.OCI_INDEX, manifests);
            // --annotation index:K=V; plain ones are the manifests' (each part's request has them), as in buildx.
            if (!first.descriptorAnnotations().index().isEmpty()) {
                index = index.withAnnotations(new TreeMap<>(first.descriptorAnnotations().index()));
            }
            Descriptor indexDescriptor = withAnnotations(
                    store.putBytes(MediaTypes.OCI_INDEX, ImageDocuments.encode(index).bytes()),
                    first.descriptorAnnotations().indexDescriptor());
            for (String tag : first.tags()) {
                store.tag(tag, indexDescriptor);
            }
            // The index digest is the ID of a multi-platform image, as in containerd's image store; one platform
            // with attestations keeps its config's digest as the ID, as docker build prints it.
            Digest id = requests.size() == 1 ? parts.get(0).result().config() : indexDescriptor.digest();
            BuildResult built = new BuildResult(indexDescriptor, id, first.tags(), layers,
                    size + indexDescriptor.size(), List.of(), steps, cached, materials.materials(), materials.contextDigest());
            Outputs.write(store, first, built, requests.size() == 1 ? List.of() : platforms, listener);
            if (first.push()) {
                Map<Digest, ImageName> layerSources = new HashMap<>();
                parts.forEach(part -> layerSources.putAll(part.layerSources()));
                built = built.withPushed(push(built, layerSources, first.attestations().ociReferrers()));
            }
            exports.export(store.withBlobFallback(cacheSources), cacheSources, transfer, listener, built,
                    () -> new StepId(stepNumbers.incrementAndGet()));
            return built;
        } catch (IOException e) {
            throw new BuildException(null, e.getMessage(), e);
        }
    }

    /**
     * Builds each platform's image at the same time (an emulated platform's RUN steps are slow, the
     * host's are not: they overlap), results in the order of {@code requests}. The first failure
     * cancels the other platforms and is thrown once they have stopped, as with stages.
     */
    private List<PlatformImage> buildPlatformParts(List<BuildRequest> requests, CacheExports exports, BuildMaterials materials,
            ImageAttestations.Run run) throws BuildException, IOException {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(requests.size(), r -> {
            Thread thread = new Thread(r, "jbuild-platform-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // Whichever platform fails first cancels the others, so results are taken as they complete.
        CompletionService<Integer> completion = new ExecutorCompletionService<>(pool);
        PlatformImage[] results = new PlatformImage[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            int index = i;
            BuildRequest request = requests.get(i);
            // One platform (a build with attestations) is labelled like a single-platform build.
            String label = requests.size() == 1 ? null : request.platform().normalize().toString();
            completion.submit(() -> {
                results[index] = buildInStore(request.asPlatformPart(), exports, label, materials, run);
                return index;
            });
        }
        Throwable failure = null;
        try {
            for (int i = 0; i < requests.size(); i++) {
                try {
                    completion.take().get();
                } catch (ExecutionException e) {
                    failure = e.getCause();
                    break;
                }
            }
        } catch (InterruptedException e) {
            // Ctrl-C: the platforms are cancelled below; the flag stays clear so their cleanup can run.
            failure = new BuildException(null, "build interrupted", e);
        } finally {
            StageGraph.stop(pool, failure != null);
        }
        StageGraph.rethrow(failure);
        return List.of(results);
    }

    /** The target stage and the stages it is built FROM: their steps make the final image's layers. */
    private static Set<Integer> finalImageStages(BuildPlan plan) {
        Set<Integer> stages = new HashSet<>();
        for (Integer index = plan.target(); index != null; ) {
            stages.add(index);
            BaseImage base = plan.stage(index).map(Stage::base).orElse(null);
            index = base instanceof BaseImage.StageResult result ? result.stageIndex() : null;
        }
        return stages;
    }

    /**
     * One platform's image, its attestation manifest's index entry (null without attestations), and the
     * repositories its base layers came from (for blob mounts when the index is pushed).
     */
    private record PlatformImage(BuildResult result, Descriptor attestation, Map<Digest, ImageName> layerSources) {}

    /**
     * @param platformLabel the platform, when this is one part of a multi-platform build (for progress)
     * @param materials     the whole build's materials, to which this part's are added
     * @param run           what the platforms' attestations share; null when the build makes none
     */
    private PlatformImage buildInStore(BuildRequest request, CacheExports exports, String platformLabel, BuildMaterials materials,
            ImageAttestations.Run run) throws BuildException {
        Path scratch;
        try {
            scratch = store.createTemporaryDirectory("build");
        } catch (IOException e) {
            throw new BuildException(null, "cannot create a temporary directory in the store: " + e.getMessage(), e);
        }
        try {
            // Reads of a registry cache's layers that are still in the registry download them (CacheSources).
            BuildSession session = new BuildSession(request, store.withBlobFallback(cacheSources), listener, scratch,
                    cacheOptions, cacheSources, stepNumbers, platformLabel, gitCommits);
            BaseImages images = new BaseImages(session, transfer, transferLock);
            ImageState result;
            StageGraph graph = new StageGraph(request.plan().stages(), parallelism);
            try (RootfsLayers rootfs = new RootfsLayers(session)) {
                result = runStages(session, images, rootfs, graph, false);
                exports.collect(session.cache(), finalImageStages(request.plan()));
            } finally {
                session.cache().close();
            }
            materials.addAll(session.materials());
            BuildResult built = commit(session, result);
            Descriptor attestation = request.attestations().any()
                    ? ImageAttestations.write(session, built.manifest(), run, ImageAttestations.extras(session, graph, result))
                    : null;
            Outputs.write(session, built);
            return new PlatformImage(request.push() ? built.withPushed(push(built, images.layerSources(), request.attestations().ociReferrers())) : built,
                    attestation, Map.copyOf(images.layerSources()));
        } catch (IOException e) {
            throw new BuildException(null, e.getMessage(), e);
        } finally {
            try {
                store.deleteTemporaryDirectory(scratch);
            } catch (IOException e) {
                listener.warning("could not remove the build's scratch directory " + scratch + ": " + e.getMessage());
            }
        }
    }

    /**
     * Runs the plan's stages, independent ones at the same time (see {@link StageGraph}), and
     * returns the target stage's image.
     */
    /** @param checksOnly only the build checks of each step ({@link #check}), no step runs */
    private ImageState runStages(BuildSession session, BaseImages images, RootfsLayers rootfs, StageGraph graph,
            boolean checksOnly) throws BuildException, IOException {
        StageSources sources = new StageSources(session, images, graph);
        return graph.run(session.request().plan().target(), stage -> {
            ImageState state = base(session, stage, images, graph);
            if (stage.base() instanceof BaseImage.Image image) {
                checkBasePlatform(session, stage, image.reference(), state);
            }
            StageExecutor executor = new StageExecutor(session, stage, state, sources.forStage(stage.index()), rootfs);
            List<Instruction> triggers = onBuildTriggers(session, stage, state);
            if (checksOnly) {
                executor.check(triggers);
            } else {
                executor.run(triggers);
            }
            return state;
        });
    }

    /**
     * BuildKit's InvalidBaseImagePlatform: the base image's config names another OS or architecture than the
     * stage's platform (its {@code FROM --platform}, else the build's; an image with one manifest, for another
     * platform, is used as it is, as in BuildKit).
     */
    private static void checkBasePlatform(BuildSession session, Stage stage, String reference, ImageState state) {
        Platform expected = state.platform().normalize();
        Platform actual = state.config().platform().normalize();
        if (actual.os() == null || actual.architecture() == null
                || (expected.os().equals(actual.os()) && expected.architecture().equals(actual.architecture()))) {
            return;
        }
        Finding finding = CheckRule.INVALID_BASE_IMAGE_PLATFORM.at(stage.from().location(),
                CheckRule.invalidBaseImagePlatform(reference, expected.toString(), actual.toString()));
        session.finding(finding);
    }

    /**
     * The stage's starting state, with the platform its steps run for. As in BuildKit: a stage built on another
     * takes that stage's platform (its own {@code --platform} is not used); otherwise {@code FROM --platform}
     * picks the base image's platform and the one RUN runs for, the build's platform when there is none. The
     * TARGET* args stay the build's. An empty image is the build's platform's, whatever the flag.
     */
    private static ImageState base(BuildSession session, Stage stage, BaseImages images, StageGraph graph)
            throws BuildException {
        BaseImage base = stage.base();
        Location at = stage.from().location();
        if (base instanceof BaseImage.StageResult result) {
            return graph.await(result.stageIndex(), at).copy();
        }
        Platform platform = session.request().platform();
        if (stage.platform() != null) {
            try {
                platform = Platform.parse(stage.platform());
            } catch (IllegalArgumentException e) {
                throw new BuildException(at, "failed to parse platform " + stage.platform() + ": " + e.getMessage(), e);
            }
        }
        ImageState state;
        if (base instanceof BaseImage.Scratch) {
            state = images.scratch();
        } else if (base instanceof BaseImage.NamedContext named) {
            state = images.image(named.name(), at, platform);
        } else {
            state = images.image(((BaseImage.Image) base).reference(), at, platform);
        }
        state.setPlatform(platform);
        return state;
    }

    /**
     * A base image's ONBUILD instructions, which run first, as parsed instructions; they are cleared
     * from the new image, as in Docker.
     */
    private static List<Instruction> onBuildTriggers(BuildSession session, Stage stage, ImageState state)
            throws BuildException {
        List<String> triggers = state.runConfig().onBuild();
        if (triggers == null || triggers.isEmpty()) {
            return List.of();
        }
        state.updateRunConfig(c -> c.withOnBuild(null));
        List<Instruction> parsed = new ArrayList<>();
        for (String trigger : triggers) {
            try {
                parsed.add(DockerfileParser.parseInstruction(trigger, stage.from().location().file(),
                        stage.from().location().startLine(), session.request().dockerfile().escape()));
            } catch (DockerfileSyntaxException e) {
                throw new BuildException(stage.from().location(), "ONBUILD trigger of the base image: " + e.getMessage(), e);
            }
        }
        return parsed;
    }

    /** Writes the config and manifest of the target stage and tags them. */
    private BuildResult commit(BuildSession session, ImageState state) throws IOException {
        BuildRequest request = session.request();
        ImageConfig config = state.config();
        if (!request.labels().isEmpty()) {
            Map<String, String> labels = new TreeMap<>(state.runConfig().labels() == null ? Map.of() : state.runConfig().labels());
            labels.putAll(request.labels());
            config = config.withConfig(state.runConfig().withLabels(labels));
        }
        List<Digest> diffIds = new ArrayList<>();
        List<Descriptor> layers = new ArrayList<>();
        long size = 0;
        for (LayerRecord layer : state.layers()) {
            // A tagged image has all its blobs: layers a registry cache hit left in the registry come now.
            if (!session.store().ensure(layer.descriptor().digest())) {
                throw new IOException("layer " + layer.descriptor().digest() + " of the image is missing from the store");
            }
            diffIds.add(layer.diffId());
            // An OCI manifest lists OCI layer types: a Docker base's layers are relabelled, not rewritten.
            layers.add(layer.descriptor().withMediaType(MediaTypes.ociLayerType(layer.descriptor().mediaType())));
            size += layer.descriptor().size();
        }
        config = config.withCreated(ImageConfig.formatTime(createdTime(session, state)))
                .withRootfs(new ImageConfig.RootFs(diffIds))
                .withHistory(state.history());
        if (cacheOptions.inline()) {
            config = RegistryCache.inline(cacheSources, config, session.cache().keys(finalImageStages(request.plan()), false), layers);
        }
        Document<ImageConfig> configDocument = ImageDocuments.encode(config);
        Descriptor configDescriptor = store.putBytes(MediaTypes.OCI_CONFIG, configDocument.bytes());
        Manifest manifest = new Manifest(MediaTypes.OCI_MANIFEST, configDescriptor, layers);
        if (!request.annotations().isEmpty()) {
            manifest = manifest.withAnnotations(new TreeMap<>(request.annotations()));
        }
        Document<Manifest> manifestDocument = ImageDocuments.encode(manifest);
        // manifest-descriptor annotations: the index's entry of a platform part (buildPlatforms keeps the
        // descriptor), else the store's and archives' index.json entries, as BuildKit's OCI exporter writes them.
        Descriptor manifestDescriptor = withAnnotations(store.putBytes(MediaTypes.OCI_MANIFEST, manifestDocument.bytes()),
                request.descriptorAnnotations().manifestDescriptor());
        for (String tag : request.tags()) {
            store.tag(tag, manifestDescriptor);
        }
        size += configDescriptor.size() + manifestDescriptor.size();
        return new BuildResult(manifestDescriptor, configDescriptor.digest(), request.tags(), layers.size(), size, List.of(),
                session.steps(), session.cachedSteps(), session.materials().materials(), session.materials().contextDigest());
    }

    private static Descriptor withAnnotations(Descriptor descriptor, Map<String, String> annotations) {
        return annotations.isEmpty() ? descriptor : descriptor.withAnnotations(new TreeMap<>(annotations));
    }

    /**
     * {@code created}: SOURCE_DATE_EPOCH when set; else when the image's newest step was built, which
     * for a build taken wholly from the cache is the time of the build that made it, so a warm
     * rebuild gives the same digest (BuildKit's behaviour too); else, without steps, now.
     */
    private static Instant createdTime(BuildSession session, ImageState state) {
        if (session.request().sourceDateEpoch() != null || state.lastStepTime() == null) {
            return session.createdTime();
        }
        return state.lastStepTime();
    }

    /** Pushes every tag; a failure names the reference and what the registry said. */
    /** @param referrers also make the attestation manifests OCI 1.1 referrers of their images ({@code --oci-referrers}) */
    private List<String> push(BuildResult built, Map<Digest, ImageName> layerSources, boolean referrers) throws BuildException {
        if (transfer == null) {
            throw new BuildException(null, "--push needs registry access");
        }
        List<String> pushed = new ArrayList<>();
        for (String tag : built.tags()) {
            ImageName target = ImageName.parse(tag);
            // After every stage (and platform): the only transfer running, as BuildListener#PUSH promises.
            StepId step = new StepId(stepNumbers.incrementAndGet());
            listener.stepStarted(step, BuildListener.PUSH, 0, 0, "pushing " + target);
            long started = System.nanoTime();
            try {
                PushResult result = transfer.push(built.manifest(), target, layerSources);
                pushed.add(target.registry() + "/" + target.repository() + "@" + result.digest());
                if (referrers) {
                    transfer.addReferrers(built.manifest(), target);
                }
            } catch (IOException e) {
                throw new BuildException(null, "pushing " + target + ": " + e.getMessage(), e);
            }
            listener.stepFinished(step, Duration.ofNanos(System.nanoTime() - started));
        }
        return pushed;
    }
}
