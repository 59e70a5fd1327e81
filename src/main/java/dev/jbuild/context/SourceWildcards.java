package dev.jbuild.context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Expands a {@code COPY} source with wildcards into the paths it names, as fsutil's
 * {@code ResolveWildcards} does: the elements before the first one with a wildcard are resolved
 * (following symbolic links, inside the tree); below that, entries are matched element by element
 * with {@link GoGlob}, without following symbolic links, and a matching directory is not searched
 * further. Results come in walk order, which is sorted.
 */
final class SourceWildcards {

    private SourceWildcards() {}

    /**
     * The paths {@code source} (a cleaned tree path) names: itself when it has no wildcards, else
     * every match (possibly none), as tree paths.
     *
     * @throws SourceNotFoundException when the fixed part before the first wildcard is missing
     */
    static List<String> expand(SourceTree tree, String source) throws IOException {
        String[] elements = TreePaths.elements(source);
        int first = 0;
        while (first < elements.length && !GoGlob.hasWildcards(elements[first])) {
            first++;
        }
        if (first == elements.length) {
            return List.of(source);
        }
        String base = "/" + String.join("/", Arrays.copyOfRange(elements, 0, first));
        Optional<SourceFile> baseDir = tree.resolve(base);
        if (baseDir.isEmpty()) {
            // fsutil walks from a directory that is not there, and that walk fails
            throw new SourceNotFoundException(base);
        }
        List<String> matches = new ArrayList<>();
        if (baseDir.get().isDirectory()) {
            GoGlob.Compiled[] pattern = new GoGlob.Compiled[elements.length - first];
            for (int k = 0; k < pattern.length; k++) {
                pattern[k] = GoGlob.compile(elements[first + k]);
            }
            collect(tree, baseDir.get().path(), pattern, 0, matches);
        }
        return matches;
    }

    private static void collect(SourceTree tree, String dir, GoGlob.Compiled[] pattern, int depth, List<String> out)
            throws IOException {
        boolean last = depth == pattern.length - 1;
        for (SourceFile child : tree.list(dir)) {
            if (!pattern[depth].matches(child.name())) {
                continue;
            }
            if (last) {
                out.add(child.path());
            } else if (child.isDirectory()) {
                collect(tree, child.path(), pattern, depth + 1, out);
            }
        }
    }
}
