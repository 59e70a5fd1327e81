package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DockerIgnoreTest {

    /** ignore file text (lines joined with \n), path, whether Docker leaves the path out. */
    static Stream<Arguments> table() {
        return Stream.of(
                // plain names match at the top only, and everything below a matched directory
                row("foo", "foo", true),
                row("foo", "foo/bar/baz", true),
                row("foo", "a/foo", false),
                row("foo", "foobar", false),
                // trailing slash is cleaned away: also matches a file of that name
                row("dir/", "dir", true),
                row("dir/", "dir/file", true),
                row("dir/", "dirx", false),
                // * and ? stay inside one path element
                row("*.go", "main.go", true),
                row("*.go", "cmd/main.go", false),
                row("*/temp*", "somedir/temporary.txt", true),
                row("*/temp*", "somedir/temp", true),
                row("*/temp*", "somedir/temp/x", true),
                row("*/temp*", "temp", false),
                row("*/temp*", "a/b/temp", false),
                row("*/*/temp*", "a/b/temp1", true),
                row("temp?", "tempa", true),
                row("temp?", "tempa/inner", true),
                row("temp?", "temp", false),
                row("temp?", "tempab", false),
                row("temp?", "x/tempa", false),
                // ** spans any number of directories, also none
                row("**/*.go", "main.go", true),
                row("**/*.go", "a/b/c.go", true),
                row("**/*.go", "a/b/c.golang", false),
                row("**/foo", "foo", true),
                row("**/foo", "x/y/foo", true),
                row("**/foo", "x/foo/bar", true),
                row("**/foo", "xfoo", false),
                row("a/**/b", "a/b", true),
                row("a/**/b", "a/x/y/b", true),
                row("a/**/b", "a/x/b/c", true),
                row("a/**/b", "a/x/c", false),
                row("foo/**", "foo/x/y", true),
                row("foo/**", "foo", false),
                row("**", "anything/at/all", true),
                row("**foo", "a/xfoo", true),
                // character classes and escapes
                row("[abc].txt", "a.txt", true),
                row("[abc].txt", "d.txt", false),
                row("[^a].txt", "b.txt", true),
                row("[^a].txt", "a.txt", false),
                row("[a-c]*", "beta", true),
                row("[a-c]*", "delta", false),
                row("\\*.txt", "*.txt", true),
                row("\\*.txt", "a.txt", false),
                row("file\\?", "file?", true),
                row("file\\?", "filex", false),
                // characters that mean something to a regular expression are literal
                row("a.b", "a.b", true),
                row("a.b", "axb", false),
                row("(x)+{1}|$", "(x)+{1}|$", true),
                row("*.c++", "main.c++", true),
                // Docker hands classes to Go's regexp: POSIX names work, '*' inside [] is not '*'
                row("[[:digit:]]*.log", "1abc.log", true),
                row("[[:digit:]]*.log", "abc.log", false),
                row("[*]", "]", true),
                row("[*]", "*", false),
                row("\\d", "7", true),
                // patternmatcher calls MatchString, which searches: when \Q...  quotes the final '$'
                // away, the rest of the path is free
                row("\\Qa*", "a[^/]*$", true),
                row("\\Qa*", "a[^/]*$x", true),
                row("\\Qa*", "ab", false),
                // the last matching pattern wins; ! re-includes
                row("*.md\n!README*.md\nREADME-secret.md", "README.md", false),
                row("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true),
                row("*.md\n!README*.md\nREADME-secret.md", "notes.md", true),
                row("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", false),
                // exceptions inside an excluded directory
                row("node_modules\n!node_modules/keep.js", "node_modules/keep.js", false),
                row("node_modules\n!node_modules/keep.js", "node_modules/other.js", true),
                row("node_modules\n!node_modules/keep.js", "node_modules", true),
                row("*\n!keep/**", "keep/a/b.txt", false),
                row("*\n!keep/**", "keep", true),
                row("*\n!keep/**", "other/a.txt", true),
                row("docs\n!docs/**/*.md", "docs/a/b.md", false),
                row("docs\n!docs/**/*.md", "docs/a/b.txt", true),
                row("**\n!keep", "keep/inner", false),
                row("**\n!keep", "other", true),
                row("**/*.go\n!vendor/**\nvendor/x/*.go", "vendor/x/a.go", true),
                row("**/*.go\n!vendor/**\nvendor/x/*.go", "vendor/y/a.go", false),
                // Docker's walker keeps per-pattern results from the parent: an exception that was
                // skipped for "a" (nothing was excluded yet) is not seen for "a/b"
                row("a/b\n!a", "a/b", true),
                row("a/b\n!a", "a", false),
                // . and .. in patterns are cleaned; / at the start means the context root
                row("./foo", "foo", true),
                row("foo/../bar", "bar", true),
                row("foo/../bar", "foo", false),
                row("a/./b//c", "a/b/c", true),
                row("/abs/path", "abs/path", true),
                row("../outside", "outside", false),
                // cleaning happens again with the '!': "!../../x" ends up as the pattern "x"
                row("!../../x", "x", true),
                // comments, blanks, whitespace
                row("# comment\n\n   foo   \n", "foo", true),
                row("# foo", "foo", false),
                row("  # foo", "# foo", true),
                row("! foo\nbar", "foo", false),
                row("\uFEFFfoo", "foo", true),
                row("foo\r\nbar\r\n", "bar", true),
                // the root is never excluded
                row("*", ".", false),
                row("**", "", false),
                // paths are normalised before matching
                row("a/b", "./a/b", true),
                row("a/b", "/a/b/", true),
                // no rules
                row("", "anything", false));
    }

    private static Arguments row(String ignoreFile, String path, boolean excluded) {
        return Arguments.of(ignoreFile, path, excluded);
    }

    @ParameterizedTest(name = "[{0}] {1} -> {2}")
    @MethodSource("table")
    void excludes(String ignoreFile, String path, boolean excluded) throws DockerIgnoreException {
        assertEquals(excluded, DockerIgnore.parse(ignoreFile).excludes(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"!", "!/", "[", "a[", "[]", "[]a]", "[a-]", "[-a]", "[^]", "[]]", "[a-c-]", "a\\", "a/[b", "[z-a]", "\\q", "\\1"})
    void rejectsWhatDockerRejects(String pattern) {
        assertThrows(DockerIgnoreException.class, () -> DockerIgnore.parse("ok\n" + pattern));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[!a]", "a]", "[\\]]", "[a-c]", "[[]", "\\[", "[\\-x]", "**/**", "\\x41"})
    void acceptsWhatDockerAccepts(String pattern) throws DockerIgnoreException {
        assertFalse(DockerIgnore.parse(pattern).isEmpty());
    }

    @Test
    void readsPatternsLikeDocker() throws DockerIgnoreException {
        String text = "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n  spaced  \ndir/\n";
        assertEquals(List.of("test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "spaced", "dir"),
                DockerIgnore.parse(text).patterns());
        assertTrue(DockerIgnore.parse("# only comments\n\n").isEmpty());
        assertTrue(DockerIgnore.none().isEmpty());
    }

    @Test
    void prunesExcludedDirectoriesOnlyWhenNoExceptionReachesInside() throws DockerIgnoreException {
        DockerIgnore noExceptions = DockerIgnore.parse("node_modules\n*.log");
        assertFalse(noExceptions.mayIncludeUnder("node_modules"));

        DockerIgnore plain = DockerIgnore.parse("*\n!src/main\n!docs/**");
        assertTrue(plain.mayIncludeUnder("src"));
        assertTrue(plain.mayIncludeUnder("src/main"));
        assertFalse(plain.mayIncludeUnder("src/test"));
        assertTrue(plain.mayIncludeUnder("docs"));
        assertFalse(plain.mayIncludeUnder("build"));
        assertFalse(plain.mayIncludeUnder("sr"));

        // A wildcard in any exception could match anywhere: never prune.
        DockerIgnore wildcard = DockerIgnore.parse("build\n!**/*.keep");
        assertTrue(wildcard.mayIncludeUnder("build"));
    }

    @Test
    void walkingWithParentResultsAgreesWithExcludes() throws DockerIgnoreException {
        DockerIgnore rules = DockerIgnore.parse("""
                # build output
                target
                **/*.tmp
                node_modules
                !node_modules/keep/**
                docs/*
                !docs/README.md
                """);
        Tree root = Tree.dir("",
                Tree.dir("target", Tree.file("app.jar"), Tree.dir("classes", Tree.file("A.class"))),
                Tree.dir("src", Tree.file("Main.java"), Tree.file("x.tmp"), Tree.dir("deep", Tree.file("y.tmp"))),
                Tree.dir("node_modules", Tree.dir("keep", Tree.file("k.js")), Tree.dir("drop", Tree.file("d.js"))),
                Tree.dir("docs", Tree.file("README.md"), Tree.file("other.md")),
                Tree.file("Dockerfile"));
        List<String> kept = new ArrayList<>();
        List<String> visited = new ArrayList<>();
        walk(rules, root, "", null, kept, visited);
        // "docs/*" leaves the docs directory itself in
        assertEquals(List.of("src", "src/Main.java", "src/deep", "node_modules/keep/k.js", "docs", "docs/README.md",
                "Dockerfile"), kept);
        // target is pruned without looking inside; node_modules is entered for its exception
        assertFalse(visited.contains("target/app.jar"));
        assertTrue(visited.contains("node_modules/drop"));
        for (String path : visited) {
            assertEquals(!kept.contains(path), rules.excludes(path), path);
        }
        assertTrue(rules.excludes("target/classes/A.class"));
    }

    /** A depth-first walk the way BuildKit's context walker does it. */
    private static void walk(DockerIgnore rules, Tree dir, String dirPath, DockerIgnore.Match dirMatch,
            List<String> kept, List<String> visited) {
        for (Tree child : dir.children()) {
            String path = dirPath.isEmpty() ? child.name() : dirPath + "/" + child.name();
            visited.add(path);
            DockerIgnore.Match match = rules.match(path, dirMatch);
            if (!match.excluded()) {
                kept.add(path);
            }
            if (child.isDir() && (!match.excluded() || rules.mayIncludeUnder(path))) {
                walk(rules, child, path, match, kept, visited);
            }
        }
    }

    private record Tree(String name, boolean isDir, List<Tree> children) {
        static Tree dir(String name, Tree... children) {
            return new Tree(name, true, List.of(children));
        }

        static Tree file(String name) {
            return new Tree(name, false, List.of());
        }
    }

    @Test
    void matchRejectsAParentFromOtherRules() throws DockerIgnoreException {
        DockerIgnore one = DockerIgnore.parse("a");
        DockerIgnore two = DockerIgnore.parse("a\nb");
        DockerIgnore.Match parent = one.match("a", null);
        assertThrows(IllegalArgumentException.class, () -> two.match("a/b", parent));
    }

    @Test
    void dockerfileSpecificIgnoreFileWins(@TempDir Path context) throws IOException, DockerIgnoreException {
        Path dockerfile = Files.createDirectories(context.resolve("build")).resolve("app.Dockerfile");
        Files.writeString(dockerfile, "FROM scratch\n");
        assertEquals(Optional.empty(), DockerIgnore.find(context, dockerfile));
        assertTrue(DockerIgnore.load(context, dockerfile).isEmpty());

        Files.writeString(context.resolve(".dockerignore"), "general\n");
        assertEquals(Optional.of(context.resolve(".dockerignore")), DockerIgnore.find(context, dockerfile));
        assertEquals(Optional.of(context.resolve(".dockerignore")), DockerIgnore.find(context, null));

        Path specific = context.resolve("build/app.Dockerfile.dockerignore");
        Files.writeString(specific, "specific\n");
        assertEquals(Optional.of(specific), DockerIgnore.find(context, dockerfile));
        DockerIgnore rules = DockerIgnore.load(context, dockerfile);
        assertTrue(rules.excludes("specific"));
        assertFalse(rules.excludes("general"));

        Files.writeString(specific, "[\n");
        DockerIgnoreException e = assertThrows(DockerIgnoreException.class, () -> DockerIgnore.load(context, dockerfile));
        assertTrue(e.getMessage().contains("app.Dockerfile.dockerignore"), e.getMessage());
    }
}
