package dev.jbuild.engine.stage;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.SourceTree;
import dev.jbuild.dockerfile.CheckRule;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.engine.fs.FsViewTree;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where {@code COPY} reads from: the build context, a finished stage, a named context, or an image.
 * One instance per stage ({@link #forStage}): what a {@code --from} name means depends on the stage
 * (only earlier stages count), and its memo is then confined to the stage's thread; the build
 * context is read once for all stages.
 */
public final class StageSources {

    /** A tree to copy from; files from images and stages keep their owners, context files become 0:0. */
    public record Source(SourceTree tree, boolean keepOwnership) {}

    private final BuildSession session;
    private final BaseImages images;
    private final StageGraph stages;
    /** The stage this instance serves (stages before it can be named), or -1 for none yet. */
    private final int stage;
    private final AtomicReference<Source> context;
    private final Map<String, Source> cache = new HashMap<>();

    public StageSources(BuildSession session, BaseImages images, StageGraph stages) {
        this(session, images, stages, -1, new AtomicReference<>());
    }

    private StageSources(BuildSession session, BaseImages images, StageGraph stages, int stage,
            AtomicReference<Source> context) {
        this.session = session;
        this.images = images;
        this.stages = stages;
        this.stage = stage;
        this.context = context;
    }

    /** The sources as stage {@code index} sees them. */
    public StageSources forStage(int index) {
        return new StageSources(session, images, stages, index, context);
    }

    public Source context() throws IOException {
        Source current = context.get();
        if (current == null) {
            // Two stages may get here at once; both trees are equal, one is kept.
            Source fresh = new Source(BuildContexts.directory(session.request().contextDir(), session.request().ignore()), false);
            current = context.compareAndSet(null, fresh) ? fresh : context.get();
        }
        return current;
    }

    /**
     * BuildKit's CopyIgnoredFile: a source of {@code command} ({@code Copy}) from the build context that
     * {@code .dockerignore} leaves out. BuildKit matches the source against the patterns (and says nothing
     * when a pattern re-includes with {@code !}); here the context answers: the path is in the context
     * directory but not in the tree the ignore file leaves (an exception that re-includes it shows as
     * kept). The context root is reported when the ignore file leaves none of its entries. Wildcard
     * sources are not judged (BuildKit matches them as literal names).
     */
    public void checkIgnored(String command, List<String> sources, Location at) throws IOException {
        if (session.request().ignore() == DockerIgnore.none() || session.request().contextDir() == null) {
            return;
        }
        SourceTree all = BuildContexts.directory(session.request().contextDir(), DockerIgnore.none());
        SourceTree kept = context().tree();
        for (String source : sources) {
            if (source.startsWith("<<") || source.contains("://") || source.chars().anyMatch(c -> c == '*' || c == '?' || c == '[')) {
                continue;
            }
            String clean = Path.of("/").resolve(source).normalize().toString().substring(1);
            boolean ignored = clean.isEmpty()
                    ? !all.list("/").isEmpty() && kept.list("/").isEmpty()
                    : all.lookup("/" + clean).isPresent() && kept.lookup("/" + clean).isEmpty();
            if (ignored) {
                session.finding(CheckRule.COPY_IGNORED_FILE.at(at, CheckRule.copyIgnoredFile(command, clean.isEmpty() ? "." : clean)));
            }
        }
    }

    /** Resolves {@code --from}: a named context first (it may replace a stage), then a stage, then an image. */
    public Source from(String from, Location at) throws BuildException, IOException {
        Source cached = cache.get(from);
        if (cached != null) {
            return cached;
        }
        Source source;
        NamedContext named = session.request().namedContexts().get(from);
        if (named instanceof NamedContext.Directory directory) {
            if (directory.origin() != null) {
                session.materials().fetched(directory.origin());
            }
            source = new Source(BuildContexts.directory(directory.path(), directory.ignore()), false);
        } else if (named != null) {
            source = new Source(new FsViewTree(images.image(from, at).fs(), session.layerFiles()), true);
        } else {
            Integer index = stages.stageIndex(from, stage);
            if (index != null) {
                source = new Source(new FsViewTree(stages.await(index, at).fs(), session.layerFiles()), true);
            } else {
                source = new Source(new FsViewTree(images.image(from, at).fs(), session.layerFiles()), true);
            }
        }
        cache.put(from, source);
        return source;
    }

    /**
     * The image a {@code --from} names when it is a stage or an image (for {@code RUN
     * --mount=type=bind,from=...}); empty for a directory context, which has no layers.
     */
    public Optional<ImageState> image(String from, Location at) throws BuildException {
        NamedContext named = session.request().namedContexts().get(from);
        if (named instanceof NamedContext.Directory) {
            return Optional.empty();
        }
        Integer index = named == null ? stages.stageIndex(from, stage) : null;
        if (index != null) {
            return Optional.of(stages.await(index, at));
        }
        return Optional.of(images.image(from, at));
    }
}
