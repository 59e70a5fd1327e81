package dev.jbuild.engine.step;

import dev.jbuild.context.CopySelection;
import dev.jbuild.context.SourceTree;
import dev.jbuild.dockerfile.Heredoc;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.cache.CacheKey;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.image.Digest;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ADD}: COPY from the context that also unpacks local archives and downloads URLs, placed by
 * {@link CopyPlacement}. A download is keyed by its result ({@link Step#resultKey}): its content is known
 * only once it is fetched. Git sources are refused.
 */
final class AddStep implements Step {

    private final StepContext context;
    private final Instruction.Add add;

    AddStep(StepContext context, Instruction.Add add) {
        this.context = context;
        this.add = add;
    }

    @Override
    public Instruction instruction() {
        return add;
    }

    @Override
    public boolean isVertex() {
        return true;
    }

    @Override
    public String inputKey(String parent) throws BuildException, IOException {
        BuildSession session = context.session();
        CacheKey key = StepKeys.common(context, parent, add);
        Map<String, String> scope = context.state().expansionScope();
        Location at = add.location();
        for (String word : add.sources()) {
            String expanded = word.startsWith("<<") ? word : session.expand(word, scope, at);
            if (RemoteFile.isUrl(expanded) || GitSources.isGit(expanded)) {
                return null; // content known only after the download
            }
        }
        key.put("checksum", add.checksum() == null ? null : session.expand(add.checksum(), scope, at));
        if (!StepKeys.copyOrAdd(context, key, at, add.node().heredocs(), add.sources(), add.destination(), add.chown(),
                add.chmod(), add.excludes(), false, context.sources().context().tree(), false, scope)) {
            return null;
        }
        return key.hex();
    }

    @Override
    public List<LayerEntry> execute(StepId id) throws BuildException, IOException {
        BuildSession session = context.session();
        Map<String, String> scope = context.state().expansionScope();
        CopyPlacement place = new CopyPlacement(session, context.state(), context.state().fs());
        Location at = add.location();
        CopyPlacement.Placement placement = place.placement("ADD", add.node(), add.chown(), add.chmod(), false, add.link(),
                scope, at);
        List<String> words = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (String word : add.sources()) {
            String expanded = word.startsWith("<<") ? word : session.expand(word, scope, at);
            if (GitSources.isGit(expanded)) {
                throw new BuildException(at, "ADD from a git repository is not implemented yet: " + expanded);
            }
            (RemoteFile.isUrl(expanded) ? urls : words).add(expanded);
        }
        if (add.checksum() != null && !words.isEmpty()) {
            throw new BuildException(at, "ADD --checksum is only supported for HTTP(S) sources");
        }
        CopySelection.CopyFlags flags = new CopySelection.CopyFlags(false, place.expandAll(add.excludes(), scope, at));
        String destination = session.expand(add.destination(), scope, at);
        List<Heredoc> heredocs = place.heredocs(add.node().heredocs(), words, at);
        SourceTree tree = context.sources().context().tree();
        List<CopySelection.Selected> selected = place.select(at, tree, CopyPlacement.fileSources(words), flags);
        boolean intoDirectory = place.intoDirectory(destination, selected.size() + heredocs.size() + urls.size(), false,
                placement, at);
        Map<String, LayerEntry> entries = new LinkedHashMap<>();
        boolean unpack = add.unpack() == null || add.unpack();
        place.placeFiles(entries, at, selected, destination, intoDirectory, tree, flags, placement, unpack);
        place.placeHeredocs(entries, heredocs, destination, intoDirectory, placement, at);
        for (String url : urls) {
            String checksum = add.checksum() == null ? null : session.expand(add.checksum(), scope, at);
            RemoteFile remote;
            try {
                remote = RemoteFile.fetch(session.httpClient(), url, checksum, session.scratchDir());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildException(at, "interrupted while downloading " + url, e);
            }
            session.materials().download(RemoteFile.withoutCredentials(url), Digest.parse(remote.digest()));
            String target = place.resolveTarget(destination, intoDirectory ? remote.name() : null, placement);
            Instant mtime = remote.lastModified().orElse(session.createdDirTime());
            int mode = placement.chmod() == null ? 0600 : placement.chmod().applyTo(0600, false);
            long size = Files.size(remote.file());
            place.addParents(entries, LayerPaths.parent(target), placement);
            entries.put(target, new LayerEntry.RegularFile(target, placement.newFile(mode, mtime),
                    size, ContentSource.of(remote.file())));
        }
        return new ArrayList<>(entries.values());
    }
}
