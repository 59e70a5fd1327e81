package dev.jbuild.engine.step;

import dev.jbuild.context.CopySelection;
import dev.jbuild.dockerfile.Heredoc;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.cache.CacheKey;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.StageSources;
import dev.jbuild.layer.LayerEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code COPY}: files of the context, a stage, a named context or an image ({@code --from}), and heredocs,
 * placed by {@link CopyPlacement}. Its key covers the source (and whether it keeps owners) and every file
 * it selects ({@link StepKeys#copyOrAdd}).
 */
final class CopyStep implements Step {

    private final StepContext context;
    private final Instruction.Copy copy;

    CopyStep(StepContext context, Instruction.Copy copy) {
        this.context = context;
        this.copy = copy;
    }

    @Override
    public Instruction instruction() {
        return copy;
    }

    @Override
    public boolean isVertex() {
        return true;
    }

    @Override
    public String inputKey(String parent) throws BuildException, IOException {
        BuildSession session = context.session();
        CacheKey key = StepKeys.common(context, parent, copy);
        Map<String, String> scope = context.state().expansionScope();
        Location at = copy.location();
        StageSources.Source source;
        try {
            source = source(scope);
        } catch (BuildException e) {
            return null; // let the step itself report it
        }
        key.put("from", copy.from() == null ? null : session.expand(copy.from(), scope, at));
        if (copy.from() == null) {
            // On every build, cached or not, as BuildKit checks while converting the Dockerfile.
            List<String> sources = new ArrayList<>();
            try {
                for (String word : copy.sources()) {
                    sources.add(word.startsWith("<<") ? word : session.expand(word, scope, at));
                }
                context.sources().checkIgnored("Copy", sources, at);
            } catch (BuildException e) {
                // a word that cannot be expanded: the step reports it
            }
        }
        if (!StepKeys.copyOrAdd(context, key, at, copy.node().heredocs(), copy.sources(), copy.destination(), copy.chown(),
                copy.chmod(), copy.excludes(), copy.parents(), source.tree(), source.keepOwnership(), scope)) {
            return null;
        }
        return key.hex();
    }

    private StageSources.Source source(Map<String, String> scope) throws BuildException, IOException {
        return copy.from() == null ? context.sources().context()
                : context.sources().from(context.session().expand(copy.from(), scope, copy.location()), copy.location());
    }

    @Override
    public List<LayerEntry> execute(StepId id) throws BuildException, IOException {
        BuildSession session = context.session();
        Map<String, String> scope = context.state().expansionScope();
        CopyPlacement place = new CopyPlacement(session, context.state(), context.state().fs());
        Location at = copy.location();
        StageSources.Source source = source(scope);
        CopyPlacement.Placement placement = place.placement("COPY", copy.node(), copy.chown(), copy.chmod(),
                source.keepOwnership(), copy.link(), scope, at);
        CopySelection.CopyFlags flags = new CopySelection.CopyFlags(copy.parents(), place.expandAll(copy.excludes(), scope, at));
        List<String> words = new ArrayList<>();
        for (String word : copy.sources()) {
            String expanded = word.startsWith("<<") ? word : session.expand(word, scope, at);
            if (RemoteFile.isUrl(expanded)) {
                // BuildKit's words: a download (or a git repository) is ADD's, never a path in the context.
                throw new BuildException(at, "source can't be a URL for COPY");
            }
            words.add(expanded);
        }
        String destination = session.expand(copy.destination(), scope, at);
        List<Heredoc> heredocs = place.heredocs(copy.node().heredocs(), words, at);
        List<CopySelection.Selected> selected = place.select(at, source.tree(), CopyPlacement.fileSources(words), flags);
        boolean intoDirectory = place.intoDirectory(destination, selected.size() + heredocs.size(), flags.parents(),
                placement, at);
        Map<String, LayerEntry> entries = new LinkedHashMap<>();
        place.placeFiles(entries, at, selected, destination, intoDirectory, source.tree(), flags, placement, false);
        place.placeHeredocs(entries, heredocs, destination, intoDirectory, placement, at);
        return new ArrayList<>(entries.values());
    }
}
