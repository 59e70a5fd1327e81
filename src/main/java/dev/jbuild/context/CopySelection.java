package dev.jbuild.context;

import dev.jbuild.layer.LayerPaths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the sources of a {@code COPY} or {@code ADD} select from a tree, by BuildKit's rules (the
 * Dockerfile frontend's {@code llb.Copy} with FollowSymlinks, CopyDirContentsOnly, AllowWildcard,
 * AllowEmptyWildcard, IncludePatterns for {@code --parents} and ExcludePatterns, executed by
 * fsutil's copier):
 *
 * <ul>
 *   <li>each source is cleaned and taken from the tree root: {@code ./a} is {@code /a},
 *       {@code a/../b} is {@code /b}, {@code ../x} is {@code /x};
 *   <li>a source with {@code *}, {@code ?} or {@code [} is matched element by element with Go's
 *       {@code filepath.Match} (<code>**</code> is not special); matches come sorted, and a pattern
 *       that matches nothing selects nothing. A source without wildcards must exist, else
 *       {@link SourceNotFoundException} ({@code "/a.txt": not found});
 *   <li>the source itself is followed when it is a symbolic link (inside the tree); links below
 *       it are copied as links;
 *   <li>a directory gives its contents, a file itself;
 *   <li>{@code --exclude} patterns (.dockerignore syntax, {@code !} exceptions) are matched against
 *       paths relative to the copied source (the pivot with {@code --parents}); an excluded
 *       directory is left out with everything below it, except entries an exception brings back,
 *       for which it is still created as a parent. The source itself is never excluded;
 *   <li>{@code --parents}: see {@link Selected#destinationName()}.
 * </ul>
 *
 * <p>Where the selected entries go, and with which owner and mode, is the caller's business.
 */
public final class CopySelection {

    /**
     * The flags of a {@code COPY}/{@code ADD} that change what is selected.
     *
     * @param parents {@code --parents}
     * @param excludes the {@code --exclude} patterns, in order
     */
    public record CopyFlags(boolean parents, List<String> excludes) {

        public static final CopyFlags NONE = new CopyFlags(false, List.of());

        public CopyFlags {
            excludes = List.copyOf(excludes);
        }
    }

    /**
     * One entry to write, relative to its {@link Selected}'s root.
     *
     * @param relativePath {@code ""} for the root itself, else a slash-separated path below it
     * @param file the entry; symbolic links are not followed
     */
    public record Member(String relativePath, SourceFile file) {

        public Member {
            Objects.requireNonNull(relativePath, "relativePath");
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * One thing a source selected, and where it goes below the destination.
     *
     * @param root the selected file or directory (the followed target when the source named a link)
     * @param destinationName where {@code root} goes relative to the destination:
     *     <ul>
     *       <li>without {@code --parents}: {@code ""} for a directory, meaning its contents go into
     *           the destination directory itself; for anything else the base name of the source as
     *           written (not of a link's target), used when the destination is a directory (ends in
     *           {@code /}, exists as one, or there are several sources) - otherwise the destination
     *           path is the file's own name, which the caller decides;
     *       <li>with {@code --parents}: the destination is always a directory, and this is the
     *           entry's path relative to the pivot, e.g. {@code y/z.txt} for
     *           {@code ./x/./y/z.txt}, or {@code a/pkg.json} for <code>&#42;/pkg.json</code> matching
     *           {@code /a/pkg.json}; a directory matched by the pattern is copied as
     *           a whole to that path. The pivot is the part before the first {@code /./}, else the
     *           tree root. The one exception is a pivot that is not a directory, which selects
     *           itself like a plain file source.
     *     </ul>
     * @param members everything to write, depth first in name order, parents before children:
     *     first {@code root} itself with relative path {@code ""}, then, for a directory, every
     *     entry below it that is not excluded, plus excluded directories that are needed as parents
     *     of re-included entries. Relative paths are relative to {@code destinationName}. For a
     *     directory with {@code destinationName} {@code ""} the first member stands for the
     *     destination directory itself: BuildKit creates that with mode 0755 and does not give it
     *     the source directory's metadata.
     * @param parentDirectories with {@code --parents}, the source directories for the leading
     *     elements of {@code destinationName} (for {@code a/b/c.txt}: those of {@code a} and
     *     {@code a/b}), outermost first: BuildKit creates missing ones with their owner, mode and
     *     times. Empty otherwise.
     * @param copy which of BuildKit's separate copies this belongs to, counting from 0 in order:
     *     the Dockerfile frontend gives each source a copy action of its own and the file op copies
     *     each wildcard match on its own, so each match is one copy; with {@code --parents} the
     *     selections of one match of the pivot share one. fsutil's copier recreates hard links only
     *     among the files of one copy.
     */
    public record Selected(SourceFile root, String destinationName, List<Member> members,
            List<SourceFile> parentDirectories, int copy) {

        public Selected {
            Objects.requireNonNull(root, "root");
            Objects.requireNonNull(destinationName, "destinationName");
            members = List.copyOf(members);
            parentDirectories = List.copyOf(parentDirectories);
        }
    }

    private CopySelection() {}

    /**
     * What {@code sources} select from {@code tree}, in source order.
     *
     * @param sources the source arguments as written in the Dockerfile (after variable expansion)
     * @throws SourceNotFoundException for a source without wildcards that does not exist
     * @throws DockerIgnoreException for an invalid {@code --exclude} pattern
     * @throws IOException when the tree cannot be read, or on a symbolic link loop
     */
    public static List<Selected> select(SourceTree tree, List<String> sources, CopyFlags flags)
            throws IOException, DockerIgnoreException {
        DockerIgnore exclude = DockerIgnore.of(flags.excludes());
        List<Selected> out = new ArrayList<>();
        for (String source : sources) {
            if (flags.parents()) {
                selectWithParents(tree, source, exclude, out);
            } else {
                selectPlain(tree, source, exclude, out);
            }
        }
        return out;
    }

    /** What a missing source names: the path itself, or where it leads when it is a dangling link (BuildKit's message). */
    private static String missing(SourceTree tree, String path) throws IOException {
        Optional<SourceFile> entry = tree.lookup(path);
        return entry.isPresent() && entry.get().isSymlink() ? tree.leadsTo(path) : path;
    }

    private static void selectPlain(SourceTree tree, String source, DockerIgnore exclude, List<Selected> out)
            throws IOException, DockerIgnoreException {
        String path = LayerPaths.absolute(source);
        for (String match : SourceWildcards.expand(tree, path)) {
            SourceFile root = tree.resolve(match).orElse(null);
            if (root == null) {
                throw new SourceNotFoundException(missing(tree, match));
            }
            if (!root.isDirectory()) {
                out.add(single(root, TreePaths.baseName(match), copies(out)));
                continue;
            }
            List<Member> members = new ArrayList<>();
            members.add(new Member("", root));
            List<SelectionWalk.Hit> hits = SelectionWalk.walk(tree, root, null, exclude);
            addMembers(hits, 0, hits.size(), "", members);
            out.add(new Selected(root, "", members, List.of(), copies(out)));
        }
    }

    private static void selectWithParents(SourceTree tree, String source, DockerIgnore exclude, List<Selected> out)
            throws IOException, DockerIgnoreException {
        // The pivot is cut from the source as written, before any cleaning removes the "/./".
        int cut = source.indexOf("/./");
        String pivotPart = cut < 0 ? "/" : source.substring(0, cut);
        String patternPart = cut < 0 ? source : source.substring(cut + 3);
        String pivotPath = LayerPaths.absolute(pivotPart);
        String pattern = LayerPaths.relative(patternPart);
        if (!GoGlob.hasWildcards(pivotPath) && !GoGlob.hasWildcards(pattern)) {
            // BuildKit's RequiredPaths: a plain --parents source must exist
            String required = LayerPaths.absolute(pivotPath + "/" + pattern);
            if (tree.lookup(required).isEmpty()) {
                throw new SourceNotFoundException(required);
            }
        }
        for (String pivotMatch : SourceWildcards.expand(tree, pivotPath)) {
            SourceFile pivot = tree.resolve(pivotMatch).orElseThrow(() -> new SourceNotFoundException(pivotMatch));
            int copy = copies(out);
            if (!pivot.isDirectory()) {
                out.add(single(pivot, TreePaths.baseName(pivotMatch), copy));
                continue;
            }
            List<SelectionWalk.Hit> hits = SelectionWalk.walk(tree, pivot, pattern, exclude);
            for (int i = 0; i < hits.size(); ) {
                // A hit that is not below the previous group's root starts a group of its own.
                SelectionWalk.Hit top = hits.get(i);
                int end = i + 1;
                while (end < hits.size() && TreePaths.isAtOrBelow(hits.get(end).relativePath(), top.relativePath())) {
                    end++;
                }
                List<Member> members = new ArrayList<>();
                members.add(new Member("", top.file()));
                addMembers(hits, i + 1, end, top.relativePath(), members);
                out.add(new Selected(top.file(), top.relativePath(), members, parentDirectories(top.parent()), copy));
                i = end;
            }
        }
    }

    private static Selected single(SourceFile file, String destinationName, int copy) {
        return new Selected(file, destinationName, List.of(new Member("", file)), List.of(), copy);
    }

    /** How many copies {@code out} holds so far: the number of the next one. */
    private static int copies(List<Selected> out) {
        return out.isEmpty() ? 0 : out.get(out.size() - 1).copy() + 1;
    }

    /**
     * Adds hits {@code from..to} (all below {@code base}) as members relative to {@code base}, each
     * preceded by the directories between {@code base} and it that have not been added yet: those
     * were not selected themselves but must exist to hold the hit.
     */
    private static void addMembers(List<SelectionWalk.Hit> hits, int from, int to, String base, List<Member> members) {
        Set<String> added = new HashSet<>();
        for (int i = from; i < to; i++) {
            SelectionWalk.Hit hit = hits.get(i);
            for (SelectionWalk.Ancestor a : outermostFirstAncestors(hit.parent(), base)) {
                if (added.add(a.relativePath())) {
                    members.add(new Member(relativeTo(a.relativePath(), base), a.dir()));
                }
            }
            if (hit.file().isDirectory()) {
                added.add(hit.relativePath());
            }
            members.add(new Member(relativeTo(hit.relativePath(), base), hit.file()));
        }
    }

    /** The ancestors strictly below {@code base}, outermost first. */
    private static List<SelectionWalk.Ancestor> outermostFirstAncestors(SelectionWalk.Ancestor innermost, String base) {
        List<SelectionWalk.Ancestor> chain = new ArrayList<>();
        for (SelectionWalk.Ancestor a = innermost; a != null && !a.relativePath().equals(base); a = a.up()) {
            chain.add(0, a);
        }
        return chain;
    }

    private static List<SourceFile> parentDirectories(SelectionWalk.Ancestor innermost) {
        List<SourceFile> dirs = new ArrayList<>();
        for (SelectionWalk.Ancestor a : outermostFirstAncestors(innermost, "")) {
            dirs.add(a.dir());
        }
        return dirs;
    }

    private static String relativeTo(String path, String base) {
        return base.isEmpty() ? path : path.substring(base.length() + 1);
    }
}
