package dev.jbuild.build;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.SourceTree;
import dev.jbuild.dockerfile.Location;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Where {@code COPY} reads from: the build context, a finished stage, a named context, or an image. */
final class StageSources {

    /** A tree to copy from; files from images and stages keep their owners, context files become 0:0. */
    record Source(SourceTree tree, boolean keepOwnership) {}

    private final BuildSession session;
    private final BaseImages images;
    private final Map<Integer, ImageState> finished;
    private final Map<String, Integer> stageIndexByName;
    private final Map<String, Source> cache = new HashMap<>();

    StageSources(BuildSession session, BaseImages images, Map<Integer, ImageState> finished,
            Map<String, Integer> stageIndexByName) {
        this.session = session;
        this.images = images;
        this.finished = finished;
        this.stageIndexByName = stageIndexByName;
    }

    Source context() throws IOException {
        Source context = cache.get("\0context");
        if (context == null) {
            context = new Source(BuildContexts.directory(session.request.contextDir(), session.request.ignore()), false);
            cache.put("\0context", context);
        }
        return context;
    }

    /** Resolves {@code --from}: a named context first (it may replace a stage), then a stage, then an image. */
    Source from(String from, Location at) throws BuildException, IOException {
        Source cached = cache.get(from);
        if (cached != null) {
            return cached;
        }
        Source source;
        NamedContext named = session.request.namedContexts().get(from);
        if (named instanceof NamedContext.Directory directory) {
            source = new Source(BuildContexts.directory(directory.path(), DockerIgnore.none()), false);
        } else if (named != null) {
            source = new Source(new FsViewTree(images.image(from, at).fs(), session.layerFiles), true);
        } else {
            Integer index = stageIndex(from);
            if (index != null) {
                ImageState stage = finished.get(index);
                if (stage == null) {
                    throw new BuildException(at, "stage " + from + " has not been built before this step");
                }
                source = new Source(new FsViewTree(stage.fs(), session.layerFiles), true);
            } else {
                source = new Source(new FsViewTree(images.image(from, at).fs(), session.layerFiles), true);
            }
        }
        cache.put(from, source);
        return source;
    }

    /**
     * The image a {@code --from} names when it is a stage or an image (for {@code RUN
     * --mount=type=bind,from=...}); empty for a directory context, which has no layers.
     */
    java.util.Optional<ImageState> image(String from, Location at) throws BuildException {
        NamedContext named = session.request.namedContexts().get(from);
        if (named instanceof NamedContext.Directory) {
            return java.util.Optional.empty();
        }
        Integer index = named == null ? stageIndex(from) : null;
        if (index != null) {
            ImageState stage = finished.get(index);
            if (stage == null) {
                throw new BuildException(at, "stage " + from + " has not been built before this step");
            }
            return java.util.Optional.of(stage);
        }
        return java.util.Optional.of(images.image(from, at));
    }

    private Integer stageIndex(String from) {
        if (!from.isEmpty() && from.chars().allMatch(Character::isDigit)) {
            return Integer.valueOf(from);
        }
        return stageIndexByName.get(from.toLowerCase(Locale.ROOT));
    }
}
