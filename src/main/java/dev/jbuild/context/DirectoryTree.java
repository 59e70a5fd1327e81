package dev.jbuild.context;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A host directory seen as a {@link SourceTree}: the build context. Obtain one from
 * {@link BuildContexts#directory}.
 *
 * <p>Confinement: every host path this class touches is the root plus elements that it has just
 * checked to be real directories (not symbolic links), and the last element is read without
 * following links. Symbolic links, including ones whose targets point outside the context, are
 * resolved inside the root ({@link SourceTree#find}); the host file they name is never read. Someone
 * who can change the directory <em>while</em> it is read can still race these checks, as with
 * BuildKit's own context transfer; build contexts are not expected to be modified concurrently.
 *
 * <p>With a {@link DockerIgnore}, excluded entries behave as if absent, except that an excluded
 * directory with re-included entries somewhere below it is kept (BuildKit sends such parents).
 *
 * <p>Names are kept byte for byte whatever the JVM's locale: bytes that are not UTF-8 are carried
 * as {@link RawNames} escapes, and host paths are made from those bytes.
 *
 * <p>Ownership is reported as found on disk. Note that BuildKit resets the owner of local context
 * files to 0:0 when it receives them; the caller decides whether to do the same.
 */
public final class DirectoryTree implements SourceTree {

    private final Path root;
    private final DockerIgnore ignore;
    /** Excluded directories (relative paths) and whether something below them is kept. */
    private final Map<String, Boolean> keptBelowExcluded = new ConcurrentHashMap<>();

    DirectoryTree(Path root, DockerIgnore ignore) throws IOException {
        this.root = root.toRealPath();
        this.ignore = Objects.requireNonNull(ignore, "ignore");
        if (!Files.isDirectory(this.root, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotDirectoryException(root.toString());
        }
    }

    @Override
    public Optional<SourceFile> lookup(String path) throws IOException {
        return SourceTree.find(path, false, this::entry);
    }

    @Override
    public Optional<SourceFile> resolve(String path) throws IOException {
        return SourceTree.find(path, true, this::entry);
    }

    @Override
    public List<SourceFile> list(String dirPath) throws IOException {
        SourceFile dir = resolve(dirPath).orElseThrow(() -> new NoSuchFileException(dirPath));
        if (!dir.isDirectory()) {
            throw new NotDirectoryException(dirPath);
        }
        List<SourceFile> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(host(dir.path()))) {
            for (Path entry : entries) {
                entry(TreePaths.child(dir.path(), RawNames.fileName(entry))).ifPresent(children::add);
            }
        }
        children.sort((a, b) -> LayerPaths.ORDER.compare(a.name(), b.name())); // Go sorts names by their bytes
        return children;
    }

    @Override
    public InputStream open(SourceFile file) throws IOException {
        // Look again rather than trust the caller's path: this re-checks confinement and the ignore rules.
        SourceFile current = lookup(file.path())
                .filter(SourceFile::isRegularFile)
                .orElseThrow(() -> new NoSuchFileException(file.path()));
        return Files.newInputStream(host(current.path()), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public Optional<Path> hostPath(SourceFile file) {
        return Optional.of(host(LayerPaths.absolute(file.path())));
    }

    /** One entry by its literal tree path; its parent directories have been checked by the caller. */
    private Optional<SourceFile> entry(String treePath) throws IOException {
        if (treePath.equals("/")) {
            return HostFiles.read(root, "/");
        }
        String relative = LayerPaths.relative(treePath);
        if (!ignore.excludes(relative)) {
            return HostFiles.read(host(treePath), treePath);
        }
        if (!ignore.mayIncludeUnder(relative)) {
            return Optional.empty();
        }
        Optional<SourceFile> found = HostFiles.read(host(treePath), treePath);
        if (found.isPresent() && found.get().isDirectory() && keepsSomethingBelow(relative)) {
            return found;
        }
        return Optional.empty();
    }

    /** For an excluded directory: whether an exception re-includes any entry below it. */
    private boolean keepsSomethingBelow(String relativeDir) throws IOException {
        Boolean known = keptBelowExcluded.get(relativeDir);
        if (known != null) {
            return known;
        }
        boolean kept = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(host(LayerPaths.absolute(relativeDir)))) {
            for (Path entry : entries) {
                String child = relativeDir + "/" + RawNames.fileName(entry);
                if (!ignore.excludes(child)
                        || (ignore.mayIncludeUnder(child)
                                && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                                && keepsSomethingBelow(child))) {
                    kept = true;
                    break;
                }
            }
        }
        keptBelowExcluded.put(relativeDir, kept);
        return kept;
    }

    /** The host file of a tree path, naming the exact bytes of its names ({@link RawNames}). */
    private Path host(String treePath) {
        return RawNames.child(root, LayerPaths.relative(treePath));
    }

    @Override
    public String toString() {
        return "DirectoryTree[" + root + (ignore.isEmpty() ? "" : ", " + ignore) + "]";
    }
}
