package dev.jbuild.engine;

import dev.jbuild.context.DockerIgnore;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.fs.FsView;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.PlanOptions;
import dev.jbuild.plan.Planner;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Builds a Dockerfile into a temporary store and reads back what was written. */
final class BuildFixture {

    final Path context;
    final Store store;
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    Map<String, String> buildArgs = Map.of();
    Map<String, NamedContext> namedContexts = Map.of();
    Instant sourceDateEpoch;
    List<String> tags = List.of();
    CacheOptions cacheOptions = CacheOptions.DEFAULT;
    /** The steps of the last build, in the order they started, and which of them came from the cache. */
    final List<String> steps = Collections.synchronizedList(new ArrayList<>());
    final List<String> cachedSteps = Collections.synchronizedList(new ArrayList<>());
    /** When each step of the last build started and ended (System.nanoTime), by id. */
    final Map<StepId, Interval> intervals = new ConcurrentHashMap<>();
    /** Output lines of the last build's steps, by step id. */
    final Map<StepId, List<String>> logs = new ConcurrentHashMap<>();
    /** How many stages may run at once; 0 for the builder's default. */
    int parallelism;

    /** One step's run: its stage and text, and when it started and ended ({@code end} 0 while running). */
    record Interval(String stage, String text, long start, long end) {}

    BuildFixture(Path context, Path storeRoot) throws IOException {
        this.context = context;
        this.store = Store.open(storeRoot);
    }

    BuildFixture file(String path, String content) throws IOException {
        Path file = context.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return this;
    }

    BuildResult build(String dockerfileText) throws Exception {
        Dockerfile dockerfile = DockerfileParser.parse(dockerfileText, "Dockerfile");
        Platform platform = new Platform("linux", "amd64");
        BuildPlan plan = Planner.plan(dockerfile,
                new PlanOptions(buildArgs, null, platform.toString(), platform.toString(), namedContexts.keySet()));
        Path dockerfilePath = context.resolve("Dockerfile");
        BuildRequest request = BuildRequest.builder(dockerfile, plan, context, platform)
                .ignore(DockerIgnore.load(context, dockerfilePath))
                .namedContexts(namedContexts)
                .tags(tags)
                .sourceDateEpoch(sourceDateEpoch)
                .build();
        steps.clear();
        cachedSteps.clear();
        intervals.clear();
        logs.clear();
        Builder builder = new Builder(store, new BuildListener() {
            @Override
            public synchronized void warning(String message) {
                warnings.add(message);
            }

            @Override
            public void stepStarted(StepId step, String stage, int index, int count, String text) {
                steps.add(text);
                intervals.put(step, new Interval(stage, text, System.nanoTime(), 0));
            }

            @Override
            public void stepFinished(StepId step, Duration elapsed) {
                intervals.computeIfPresent(step, (id, i) -> new Interval(i.stage(), i.text(), i.start(), System.nanoTime()));
            }

            @Override
            public void stepCached(StepId step) {
                stepFinished(step, Duration.ZERO);
                cachedSteps.add(intervals.get(step).text());
            }

            @Override
            public void metadataApplied(String stage, String text, boolean cached) {
                steps.add(text);
                if (cached) {
                    cachedSteps.add(text);
                }
            }

            @Override
            public void log(StepId step, String line) {
                logs.computeIfAbsent(step, id -> Collections.synchronizedList(new ArrayList<>())).add(line);
            }
        }, null).withCacheOptions(cacheOptions);
        if (parallelism > 0) {
            builder.withParallelism(parallelism);
        }
        return builder.build(request);
    }

    Manifest manifest(BuildResult result) throws IOException {
        return ImageDocuments.parseManifest(store.readBytes(result.manifest().digest())).value();
    }

    ImageConfig config(BuildResult result) throws IOException {
        return ImageDocuments.parseConfig(store.readBytes(result.config())).value();
    }

    /** Each layer's entries by path, in layer order. */
    List<Map<String, LayerEntry>> layers(BuildResult result) throws IOException {
        List<Map<String, LayerEntry>> layers = new ArrayList<>();
        for (Descriptor layer : manifest(result).layers()) {
            Map<String, LayerEntry> entries = new LinkedHashMap<>();
            try (InputStream in = store.open(layer.digest())) {
                LayerReader.read(in, (entry, content) -> entries.put(entry.path(), entry));
            }
            layers.add(entries);
        }
        return layers;
    }

    /** The merged tree of the image: path → entry, and the text of every regular file. */
    Map<String, LayerEntry> tree(BuildResult result, Map<String, String> contents) throws IOException {
        FsView view = new FsView();
        for (Descriptor layer : manifest(result).layers()) {
            view.beginLayer();
            Map<String, String> texts = new HashMap<>();
            try (InputStream in = store.open(layer.digest())) {
                LayerReader.read(in, (entry, content) -> {
                    view.apply(entry, null);
                    if (entry instanceof LayerEntry.RegularFile) {
                        texts.put(entry.path(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
                    }
                });
            }
            contents.putAll(texts);
        }
        Map<String, LayerEntry> tree = new TreeMap<>();
        for (FsView.Node node : view.subtree("")) {
            tree.put(node.path(), node.entry());
        }
        contents.keySet().retainAll(tree.keySet());
        return tree;
    }
}
