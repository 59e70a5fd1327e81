package dev.jbuild.context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the tree below one copy root the way fsutil's copier does with include and exclude
 * patterns: each entry is matched by its path relative to the copy root, reusing its directory's
 * result ({@link DockerIgnore#match}); an entry is copied when it matches the include pattern (if
 * any) and not the exclude patterns; symbolic links are not followed. Directories are searched even
 * when they are not copied themselves, since something below may be, and then get created as
 * parents. Searching stops only where nothing below can be copied.
 */
final class SelectionWalk {

    /** A directory above a hit, below the copy root; linked towards the root. */
    record Ancestor(String relativePath, SourceFile dir, Ancestor up) {}

    /** An entry to copy, with the directories between the copy root and it (innermost first). */
    record Hit(String relativePath, SourceFile file, Ancestor parent) {}

    private final SourceTree tree;
    /** What {@code --parents} copies, or null for everything; "matched" means included. */
    private final DockerIgnore include;
    private final String includePattern;
    /** {@code --exclude} patterns, or null. */
    private final DockerIgnore exclude;
    private final List<Hit> hits = new ArrayList<>();

    private SelectionWalk(SourceTree tree, String includePattern, DockerIgnore include, DockerIgnore exclude) {
        this.tree = tree;
        this.includePattern = includePattern;
        this.include = include;
        this.exclude = exclude;
    }

    /**
     * The entries below directory {@code root} to copy, depth first in name order.
     *
     * @param includePattern a cleaned relative pattern in .dockerignore syntax, or null for all
     * @param exclude the exclude rules, or null for none
     */
    static List<Hit> walk(SourceTree tree, SourceFile root, String includePattern, DockerIgnore exclude)
            throws IOException, DockerIgnoreException {
        DockerIgnore include = includePattern == null ? null : DockerIgnore.of(List.of(includePattern));
        if (include != null && include.isEmpty()) {
            include = null; // "x/./": the pivot itself, everything below it
        }
        if (exclude != null && exclude.isEmpty()) {
            exclude = null;
        }
        SelectionWalk walk = new SelectionWalk(tree, includePattern, include, exclude);
        walk.visit(root, "", null, null, null);
        return walk.hits;
    }

    private void visit(SourceFile dir, String relativeDir, DockerIgnore.Match dirIncluded,
            DockerIgnore.Match dirExcluded, Ancestor ancestors) throws IOException {
        for (SourceFile child : tree.list(dir.path())) {
            String relative = TreePaths.joinRelative(relativeDir, child.name());
            DockerIgnore.Match included = include == null ? null : include.match(relative, dirIncluded);
            DockerIgnore.Match excluded = exclude == null ? null : exclude.match(relative, dirExcluded);
            boolean copied = (included == null || included.excluded()) && (excluded == null || !excluded.excluded());
            if (copied) {
                hits.add(new Hit(relative, child, ancestors));
            }
            if (child.isDirectory() && mayCopyBelow(relative, included, excluded)) {
                visit(child, relative, included, excluded, new Ancestor(relative, child, ancestors));
            }
        }
    }

    private boolean mayCopyBelow(String relativeDir, DockerIgnore.Match included, DockerIgnore.Match excluded) {
        if (included != null && !included.excluded() && !IncludePrefix.mayMatchBelow(includePattern, relativeDir)) {
            return false;
        }
        return excluded == null || !excluded.excluded() || exclude.mayIncludeUnder(relativeDir);
    }
}
