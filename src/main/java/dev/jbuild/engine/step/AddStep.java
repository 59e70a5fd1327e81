package dev.jbuild.engine.step;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.CopySelection;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.SourceTree;
import dev.jbuild.context.UrlDownload;
import dev.jbuild.dockerfile.Heredoc;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.cache.CacheKey;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.git.GitFetcher;
import dev.jbuild.git.GitSource;
import dev.jbuild.image.Digest;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ADD}: COPY from the context that also unpacks local archives and downloads URLs, placed by
 * {@link CopyPlacement}. A download is keyed by its result ({@link Step#resultKey}): its content is known
 * only once it is fetched. A git source is keyed by the commit its ref resolves to and checked out with
 * {@link GitFetcher}.
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
        List<String> fileWords = new ArrayList<>();
        List<String> contextSources = new ArrayList<>();
        List<GitSource> gits = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (String word : add.sources()) {
            String expanded = word.startsWith("<<") ? word : session.expand(word, scope, at);
            if (GitSource.isGit(expanded)) {
                gits.add(gitSource(expanded, scope));
            } else if (RemoteFile.isUrl(expanded)) {
                urls.add(expanded);
            } else {
                fileWords.add(word);
                contextSources.add(expanded);
            }
        }
        // On every build, cached or not, as BuildKit checks while converting the Dockerfile.
        context.sources().checkIgnored("Add", contextSources, at);
        String checksum = add.checksum() == null ? null : session.expand(add.checksum(), scope, at);
        if (!urls.isEmpty()) {
            if (checksum == null) {
                return null; // content known only after the download
            }
            // With --checksum the content is known before the download: keyed by it and the file's name (as BuildKit
            // keys its HTTP source, not by the URL), a step that ran before is a cache hit without any request.
            Digest content = RemoteFile.checkedChecksum(checksum, at);
            for (String url : urls) {
                key.put("download.name", RemoteFile.urlName(url));
                session.materials().download(RemoteFile.withoutCredentials(url), content); // also when the step is cached
            }
        }
        key.put("checksum", checksum);
        if (!StepKeys.copyOrAdd(context, key, at, add.node().heredocs(), fileWords, add.destination(), add.chown(),
                add.chmod(), add.excludes(), false, context.sources().context().tree(), false, scope)) {
            return null;
        }
        // A git source is keyed by the commit its ref names now, not by the URL's text: a new commit
        // on the branch is a new key, the same commit a cache hit without fetching anything.
        for (GitSource git : gits) {
            Optional<String> commit = resolve(git);
            if (commit.isEmpty()) {
                return null; // an abbreviated commit id: known after the fetch, keyed by the result
            }
            session.materials().git(git.materialUri(), commit.get()); // also when the step is cached
            key.put("git.commit", commit.get()).put("git.subdir", git.subdir()).put("git.keep-git-dir", keepGitDir(git))
                    .put("git.submodules", git.submodules());
        }
        return key.hex();
    }

    private GitSource gitSource(String expanded, Map<String, String> scope) throws BuildException {
        Location at = add.location();
        try {
            GitSource source = GitSource.parse(expanded).orElseThrow();
            String checksum = add.checksum() == null ? null : context.session().expand(add.checksum(), scope, at);
            return source.withChecksum(checksum);
        } catch (IllegalArgumentException e) {
            throw new BuildException(at, e.getMessage(), e);
        }
    }

    private Optional<String> resolve(GitSource git) throws BuildException {
        try {
            return context.session().gitCommit(git);
        } catch (IOException e) {
            throw new BuildException(add.location(), e.getMessage(), e);
        }
    }

    /** {@code --keep-git-dir}, or the URL's {@code keep-git-dir} query; the two must not disagree (BuildKit). */
    private boolean keepGitDir(GitSource git) throws BuildException {
        if (add.keepGitDir() && Boolean.FALSE.equals(git.keepGitDir())) {
            throw new BuildException(add.location(), "inconsistent keep-git-dir configuration");
        }
        return add.keepGitDir() || Boolean.TRUE.equals(git.keepGitDir());
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
        List<GitSource> gits = new ArrayList<>();
        for (String word : add.sources()) {
            String expanded = word.startsWith("<<") ? word : session.expand(word, scope, at);
            if (GitSource.isGit(expanded)) {
                gits.add(gitSource(expanded, scope));
            } else {
                (RemoteFile.isUrl(expanded) ? urls : words).add(expanded);
            }
        }
        if (add.checksum() != null && !words.isEmpty()) {
            throw new BuildException(at, "ADD --checksum is only supported for HTTP(S) sources");
        }
        CopySelection.CopyFlags flags = new CopySelection.CopyFlags(false, place.expandAll(add.excludes(), scope, at));
        String destination = session.expand(add.destination(), scope, at);
        List<Heredoc> heredocs = place.heredocs(add.node().heredocs(), words, at);
        SourceTree tree = context.sources().context().tree();
        List<CopySelection.Selected> selected = place.select(at, tree, CopyPlacement.fileSources(words), flags);
        boolean intoDirectory = place.intoDirectory(destination, selected.size() + heredocs.size() + urls.size() + gits.size(),
                false, placement, at);
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
                throw new BuildException(at, "interrupted while downloading " + RemoteFile.withoutCredentials(url), e);
            }
            session.materials().download(RemoteFile.withoutCredentials(url), Digest.parse(remote.digest()));
            String target = place.resolveTarget(destination, intoDirectory ? remote.name() : null, placement);
            Instant mtime = remote.lastModified().orElse(session.createdDirTime());
            int mode = placement.chmod() == null ? UrlDownload.FILE_MODE : placement.chmod().applyTo(UrlDownload.FILE_MODE, false);
            long size = Files.size(remote.file());
            place.addParents(entries, LayerPaths.parent(target), placement);
            entries.put(target, new LayerEntry.RegularFile(target, placement.newFile(mode, mtime),
                    size, ContentSource.of(remote.file())));
        }
        for (GitSource git : gits) {
            placeGit(entries, git, place, destination, intoDirectory, flags, placement);
        }
        return new ArrayList<>(entries.values());
    }

    /**
     * A git source: the commit the key named, checked out into the build's scratch space, its
     * (sub)directory's contents copied to the destination as {@code COPY dir/ dest} would (BuildKit's
     * {@code llb.Copy(git, "/", dest)}); archives in it are not unpacked.
     */
    private void placeGit(Map<String, LayerEntry> entries, GitSource git, CopyPlacement place, String destination,
            boolean intoDirectory, CopySelection.CopyFlags flags, CopyPlacement.Placement placement)
            throws BuildException, IOException {
        BuildSession session = context.session();
        Location at = add.location();
        GitFetcher.Checkout checkout;
        try {
            String commit = session.gitCommit(git).orElse(null);
            Path into = Files.createTempDirectory(session.scratchDir(), "git-");
            checkout = session.gitFetcher().checkout(git, commit, keepGitDir(git), into);
        } catch (IOException e) {
            throw new BuildException(at, e.getMessage(), e);
        }
        session.materials().git(git.materialUri(), checkout.commit());
        SourceTree tree = BuildContexts.directory(checkout.root(), DockerIgnore.none());
        List<CopySelection.Selected> selected = place.select(at, tree, List.of("."), flags);
        place.placeFiles(entries, at, selected, destination, intoDirectory, tree, flags, placement, false);
    }
}
