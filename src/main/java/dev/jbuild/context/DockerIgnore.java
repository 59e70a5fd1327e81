package dev.jbuild.context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of a .dockerignore file: which paths of the build context are left out. Semantics are
 * Docker's (moby/patternmatcher, as BuildKit's context walker in tonistiigi/fsutil uses it):
 *
 * <ul>
 *   <li>patterns are relative to the context root and cleaned; {@code *} and {@code ?} stay within
 *       one path element, <code>**</code> spans any number of them, {@code [...]} classes and
 *       {@code \} escapes work;
 *   <li>a pattern that matches a directory excludes everything below it;
 *   <li>patterns apply in order and the last one that matches decides: {@code !pattern}
 *       re-includes, also inside an excluded directory;
 *   <li>the context root itself is never excluded.
 * </ul>
 *
 * <p>A walker should call {@link #match(String, Match)} for each entry with its parent directory's
 * result, and skip an excluded directory unless {@link #mayIncludeUnder(String)} says an exception
 * could bring back something inside. An excluded directory that has kept entries below it is still
 * created in the context (BuildKit sends such parents). Instances are immutable and thread-safe.
 */
public final class DockerIgnore {

    /** The conventional file name in the context root. */
    public static final String FILE_NAME = ".dockerignore";

    private static final DockerIgnore NONE = new DockerIgnore(List.of(), List.of());

    private final List<String> lines;
    private final List<IgnorePattern> patterns;
    private final boolean hasExceptions;
    /** True when every exception is a plain path, which lets walkers prune excluded directories. */
    private final boolean exceptionsArePlainPaths;

    private DockerIgnore(List<String> lines, List<IgnorePattern> patterns) {
        this.lines = List.copyOf(lines);
        this.patterns = List.copyOf(patterns);
        this.hasExceptions = patterns.stream().anyMatch(IgnorePattern::exclusion);
        this.exceptionsArePlainPaths = patterns.stream()
                .filter(IgnorePattern::exclusion)
                .allMatch(IgnorePattern::isPlainPath);
    }

    /** Rules that exclude nothing (no ignore file). */
    public static DockerIgnore none() {
        return NONE;
    }

    /** Parses the text of a .dockerignore file. */
    static DockerIgnore parse(String fileText) throws DockerIgnoreException {
        return of(IgnoreFileLines.patterns(fileText));
    }

    /**
     * Builds the rules from patterns already read from an ignore file (one per entry, {@code !}
     * for exceptions), for example ones a client sent along with its context.
     */
    static DockerIgnore of(List<String> patternLines) throws DockerIgnoreException {
        List<IgnorePattern> compiled = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String line : patternLines) {
            String p = GoPaths.trimSpace(line);
            if (p.isEmpty()) {
                continue;
            }
            // Cleaning happens before the '!' is looked at, as in patternmatcher.New: "!/" is "!".
            p = GoPaths.clean(p);
            boolean exclusion = p.charAt(0) == '!';
            if (exclusion) {
                if (p.length() == 1) {
                    throw new DockerIgnoreException("illegal exclusion pattern: \"!\"");
                }
                p = p.substring(1);
            }
            if (!GoGlobSyntax.isValid(p)) {
                throw new DockerIgnoreException("syntax error in pattern: \"" + line + "\"");
            }
            try {
                compiled.add(IgnorePattern.compile(p, exclusion));
            } catch (GoRegex.SyntaxException e) {
                throw new DockerIgnoreException("syntax error in pattern: \"" + line + "\": " + e.getMessage());
            }
            kept.add(line);
        }
        return compiled.isEmpty() ? NONE : new DockerIgnore(kept, compiled);
    }

    /** Reads and parses an ignore file (UTF-8). */
    static DockerIgnore read(Path ignoreFile) throws IOException, DockerIgnoreException {
        try {
            return parse(Files.readString(ignoreFile, StandardCharsets.UTF_8));
        } catch (DockerIgnoreException e) {
            throw new DockerIgnoreException(ignoreFile + ": " + e.getMessage());
        }
    }

    /**
     * The ignore file that applies to a build: {@code <dockerfile-name>.dockerignore} next to the
     * Dockerfile wins over {@code .dockerignore} in the context root, as in BuildKit.
     *
     * @param dockerfile the Dockerfile, or null when it does not come from a file (stdin)
     */
    static Optional<Path> find(Path contextDir, Path dockerfile) {
        if (dockerfile != null && dockerfile.getFileName() != null) {
            Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + FILE_NAME);
            if (Files.isRegularFile(specific)) {
                return Optional.of(specific);
            }
        }
        Path general = contextDir.resolve(FILE_NAME);
        return Files.isRegularFile(general) ? Optional.of(general) : Optional.empty();
    }

    /** The rules for a build: from {@link #find}'s file, or {@link #none()} when there is none. */
    public static DockerIgnore load(Path contextDir, Path dockerfile) throws IOException, DockerIgnoreException {
        Optional<Path> file = find(contextDir, dockerfile);
        return file.isPresent() ? read(file.get()) : NONE;
    }

    /** The patterns as read (cleaned, {@code !} kept), in order; what a cache key should cover. */
    List<String> patterns() {
        return lines;
    }

    boolean isEmpty() {
        return patterns.isEmpty();
    }

    /**
     * Whether the context entry at {@code relativePath} (slash-separated, relative to the context
     * root) is left out, either by the rules or because a walker would not enter an excluded
     * directory above it.
     */
    boolean excludes(String relativePath) {
        String path = normalize(relativePath);
        if (path.equals(".") || patterns.isEmpty()) {
            return false;
        }
        Match match = null;
        int slash = -1;
        do {
            slash = path.indexOf('/', slash + 1);
            String prefix = slash < 0 ? path : path.substring(0, slash);
            match = match(prefix, match);
            if (slash >= 0 && match.excluded() && !mayIncludeUnder(prefix)) {
                return true; // pruned: nothing below is looked at
            }
        } while (slash >= 0);
        return match.excluded();
    }

    /**
     * Matches one entry, reusing its parent directory's result: pass null for entries at the top
     * of the context (or when the parent's result is unknown, which makes this method look at the
     * parent directories itself). Use the result of a directory as the parent of its entries.
     */
    Match match(String relativePath, Match parent) {
        String path = normalize(relativePath);
        boolean[] inherited = parent == null ? null : parent.matchedPatterns;
        if (inherited != null && inherited.length != patterns.size()) {
            throw new IllegalArgumentException("parent match comes from other rules");
        }
        boolean excluded = false;
        boolean[] matchedPatterns = new boolean[patterns.size()];
        for (int i = 0; i < patterns.size(); i++) {
            IgnorePattern pattern = patterns.get(i);
            boolean matched = inherited != null && inherited[i];
            if (!matched) {
                // A pattern that cannot change the outcome is not evaluated, and then not recorded
                // for the entries below either. Docker does the same, and it shows: with "a/b" then
                // "!a", "a/b" stays excluded.
                if (pattern.exclusion() != excluded) {
                    continue;
                }
                matched = pattern.matches(path) || (inherited == null && matchesAParent(pattern, path));
            }
            matchedPatterns[i] = matched;
            if (matched) {
                excluded = !pattern.exclusion();
            }
        }
        return new Match(excluded, matchedPatterns);
    }

    private static boolean matchesAParent(IgnorePattern pattern, String path) {
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            if (pattern.matches(path.substring(0, slash))) {
                return true;
            }
        }
        return false;
    }

    /**
     * For a directory that is excluded: whether a walker must still look inside because an
     * exception might re-include something there. False means the whole subtree is out.
     * BuildKit's rule: with only plain-path exceptions, look inside only when one of them lies at
     * or below the directory; with any wildcard in an exception, always look inside.
     */
    boolean mayIncludeUnder(String dirPath) {
        if (!exceptionsArePlainPaths) {
            return true;
        }
        if (!hasExceptions) {
            return false;
        }
        String dirSlash = normalize(dirPath) + "/";
        for (IgnorePattern pattern : patterns) {
            if (pattern.exclusion() && (pattern.withoutTrailingGlob() + "/").startsWith(dirSlash)) {
                return true;
            }
        }
        return false;
    }

    /** Accepts "./a", "/a", "a/" and "a//b" for "a" and "a/b"; the root is ".". */
    private static String normalize(String relativePath) {
        String p = GoPaths.clean(relativePath);
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p.isEmpty() ? "." : p;
    }

    @Override
    public String toString() {
        return "DockerIgnore" + lines;
    }

    /** The result for one entry; pass it to {@link #match} for the entries of a directory. */
    public static final class Match {

        private final boolean excluded;
        /** Which patterns matched this entry or a directory above it, as far as they were evaluated. */
        private final boolean[] matchedPatterns;

        private Match(boolean excluded, boolean[] matchedPatterns) {
            this.excluded = excluded;
            this.matchedPatterns = matchedPatterns;
        }

        boolean excluded() {
            return excluded;
        }

        @Override
        public String toString() {
            return excluded ? "excluded" : "included";
        }
    }
}
