package dev.jbuild.context;

import static dev.jbuild.context.TestTrees.dir;
import static dev.jbuild.context.TestTrees.file;
import static dev.jbuild.context.TestTrees.link;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.context.CopySelection.CopyFlags;
import dev.jbuild.context.CopySelection.Member;
import dev.jbuild.context.CopySelection.Selected;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CopySelectionTest {

    @TempDir
    static Path tmp;

    static Path context;
    static Path outside;

    @BeforeAll
    static void buildContext() throws IOException {
        outside = dir(tmp, "outside");
        file(outside, "secret.txt", "host secret");

        context = dir(tmp, "ctx");
        file(context, "a.txt", "a");
        file(context, "b.txt", "b");
        file(context, "abc.txt", "abc");
        file(context, "c.md", "c");
        file(context, "src/a.txt", "src a");
        file(context, "src/sub/b.txt", "src sub b");
        file(context, "src/sub/deep/c.txt", "deep c");
        link(context, "src/link-to-a", "a.txt");
        link(context, "src/abs-link", "/src/sub");
        file(context, "dir1/one.txt", "1");
        file(context, "dir2/two.txt", "2");
        file(context, "x/other.txt", "o");
        file(context, "x/y/z.txt", "z");
        file(context, "x/y/w.txt", "w");
        file(context, "pkgs/a/pkg.json", "{a}");
        file(context, "pkgs/a/index.js", "a");
        file(context, "pkgs/b/pkg.json", "{b}");
        file(context, "pkgs/c/readme", "c");
        file(context, "docs/guide.md", "g");
        file(context, "docs/api/ref.md", "r");
        file(context, "docs/api/notes.txt", "n");
        // links that leave the context: resolved inside it, never on the host
        link(context, "climb", "../outside/secret.txt");
        link(context, "hostfile", outside.resolve("secret.txt").toString());
        file(context, "outside/secret.txt", "context copy");
        link(context, "loop1", "loop2");
        link(context, "loop2", "loop1");
    }

    static SourceTree tree() throws IOException {
        return BuildContexts.directory(context, DockerIgnore.none());
    }

    /**
     * Each Selected as "destinationName <- root path: members" with "." for the root member; with
     * --parents the parent directories follow in braces.
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                // a file selects itself under its base name; paths are cleaned and cannot climb out
                plain("a.txt", "a.txt <- /a.txt: ."),
                plain("./src/../a.txt", "a.txt <- /a.txt: ."),
                plain("../a.txt", "a.txt <- /a.txt: ."),
                plain("/src/a.txt", "a.txt <- /src/a.txt: ."),
                // a directory selects its contents, depth first, sorted, links not followed
                plain("src", "'' <- /src: . a.txt abs-link link-to-a sub sub/b.txt sub/deep sub/deep/c.txt"),
                plain("./src/", "'' <- /src: . a.txt abs-link link-to-a sub sub/b.txt sub/deep sub/deep/c.txt"),
                plain("x", "'' <- /x: . other.txt y y/w.txt y/z.txt"),
                // the source itself is followed: a link to a file keeps the link's name
                plain("src/link-to-a", "link-to-a <- /src/a.txt: ."),
                plain("src/abs-link", "'' <- /src/sub: . b.txt deep deep/c.txt"),
                // an escaping link means the same path inside the context
                plain("climb", "climb <- /outside/secret.txt: ."),
                // wildcards: per element, sorted, ** is just *
                plain("*.txt", "a.txt <- /a.txt: .", "abc.txt <- /abc.txt: .", "b.txt <- /b.txt: ."),
                plain("?.txt", "a.txt <- /a.txt: .", "b.txt <- /b.txt: ."),
                plain("[a-c]*", "a.txt <- /a.txt: .", "abc.txt <- /abc.txt: .", "b.txt <- /b.txt: .", "c.md <- /c.md: .",
                        "climb <- /outside/secret.txt: ."),
                plain("*/*.txt", "one.txt <- /dir1/one.txt: .", "two.txt <- /dir2/two.txt: .",
                        "secret.txt <- /outside/secret.txt: .", "a.txt <- /src/a.txt: .", "other.txt <- /x/other.txt: ."),
                plain("**/*.txt", "one.txt <- /dir1/one.txt: .", "two.txt <- /dir2/two.txt: .",
                        "secret.txt <- /outside/secret.txt: .", "a.txt <- /src/a.txt: .", "other.txt <- /x/other.txt: ."),
                plain("*/*/*.txt", "notes.txt <- /docs/api/notes.txt: .", "b.txt <- /src/sub/b.txt: .",
                        "w.txt <- /x/y/w.txt: .", "z.txt <- /x/y/z.txt: ."),
                plain("src/*/*.txt", "b.txt <- /src/sub/b.txt: ."),
                plain("pkgs/*/pkg.json", "pkg.json <- /pkgs/a/pkg.json: .", "pkg.json <- /pkgs/b/pkg.json: ."),
                // a matched directory gives its contents; a matched link is followed
                plain("dir*", "'' <- /dir1: . one.txt", "'' <- /dir2: . two.txt"),
                plain("src/*-link", "'' <- /src/sub: . b.txt deep deep/c.txt"),
                // wildcards matching nothing select nothing
                plain("nomatch*"),
                plain("src/*/nomatch"),
                plain("a.txt/*"),
                // several sources keep their order
                sources(List.of("b.txt", "a.txt"), CopyFlags.NONE, "b.txt <- /b.txt: .", "a.txt <- /a.txt: ."),
                // --exclude: relative to the copied source, .dockerignore syntax
                excluding("src", List.of("*.txt"),
                        "'' <- /src: . abs-link link-to-a sub sub/b.txt sub/deep sub/deep/c.txt"),
                excluding("src", List.of("**/*.txt"), "'' <- /src: . abs-link link-to-a sub sub/deep"),
                excluding("src", List.of("sub"), "'' <- /src: . a.txt abs-link link-to-a"),
                excluding("src", List.of("sub", "!sub/deep/c.txt"),
                        "'' <- /src: . a.txt abs-link link-to-a sub sub/deep sub/deep/c.txt"),
                excluding("src", List.of("**", "!**/c.txt"), "'' <- /src: . sub sub/deep sub/deep/c.txt"),
                excluding("docs", List.of("**/*.md", "!api/ref.md"), "'' <- /docs: . api api/notes.txt api/ref.md"),
                excluding("dir*", List.of("*"), "'' <- /dir1: .", "'' <- /dir2: ."),
                // ...and never the source itself
                excluding("*.txt", List.of("a.txt"), "a.txt <- /a.txt: .", "abc.txt <- /abc.txt: .", "b.txt <- /b.txt: ."),
                // --parents: the path from the tree root, or from the /./ pivot
                parents("x/y/z.txt", "x/y/z.txt <- /x/y/z.txt: . {/x /x/y}"),
                parents("./x/./y/z.txt", "y/z.txt <- /x/y/z.txt: . {/x/y}"),
                parents("x/./y", "y <- /x/y: . w.txt z.txt {}"),
                parents("x/./y/", "y <- /x/y: . w.txt z.txt {}"),
                parents("*/pkg.json"),
                parents("pkgs/*/pkg.json",
                        "pkgs/a/pkg.json <- /pkgs/a/pkg.json: . {/pkgs /pkgs/a}",
                        "pkgs/b/pkg.json <- /pkgs/b/pkg.json: . {/pkgs /pkgs/b}"),
                parents("./pkgs/./*/pkg.json",
                        "a/pkg.json <- /pkgs/a/pkg.json: . {/pkgs/a}",
                        "b/pkg.json <- /pkgs/b/pkg.json: . {/pkgs/b}"),
                parents("x/./*", "other.txt <- /x/other.txt: . {}", "y <- /x/y: . w.txt z.txt {}"),
                // with --parents the pattern is .dockerignore syntax, so ** spans directories
                parents("docs/**/*.md",
                        "docs/api/ref.md <- /docs/api/ref.md: . {/docs /docs/api}",
                        "docs/guide.md <- /docs/guide.md: . {/docs}"),
                parents("./nomatch*/pkg.json"),
                // the links below a --parents pivot are not followed
                parents("src/./link-to-a", "link-to-a <- /src/link-to-a: . {}"),
                // --exclude with --parents is relative to the pivot
                sources(List.of("x"), new CopyFlags(true, List.of("x/y/w.txt")),
                        "x <- /x: . other.txt y y/z.txt {}"),
                sources(List.of("./x/./y"), new CopyFlags(true, List.of("y/w.txt")),
                        "y <- /x/y: . z.txt {}"));
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @MethodSource("cases")
    void selects(List<String> sources, CopyFlags flags, List<String> expected) throws Exception {
        List<Selected> selected = CopySelection.select(tree(), sources, flags);
        assertEquals(expected, describe(selected, flags.parents()));
    }

    @Test
    void missingPlainSourceIsAnErrorWithBuildKitsMessage() throws Exception {
        assertNotFound("missing.txt", "\"/missing.txt\": not found");
        assertNotFound("./nope/../missing", "\"/missing\": not found");
        assertNotFound("src/a.txt/x", "\"/src/a.txt/x\": not found");
        // the fixed part before a wildcard must exist
        assertNotFound("missingdir/*.txt", "\"/missingdir\": not found");
        // a link out of the context is dangling inside it, the host file is not read; BuildKit names where it leads
        assertNotFound("hostfile", "\"" + outside.resolve("secret.txt") + "\": not found");
        SourceNotFoundException e = assertThrows(SourceNotFoundException.class,
                () -> CopySelection.select(tree(), List.of("x/./y/missing.txt"), new CopyFlags(true, List.of())));
        assertEquals("\"/x/y/missing.txt\": not found", e.getMessage());
        assertEquals("/x/y/missing.txt", e.path());
    }

    /** A dangling link as the source: the message names where it leads inside the context, as BuildKit's does. */
    @Test
    void aDanglingLinkNamesTheMissingTargetInsideTheContext() throws Exception {
        Path root = dir(tmp, "escaping/sub");
        file(tmp.resolve("escaping"), "secret.txt", "outside the context");
        link(root, "escape", "../secret.txt");
        link(root, "deeper/via", "../escape");
        link(root, "abs", "/nowhere/at-all");
        SourceTree tree = BuildContexts.directory(root, DockerIgnore.none());
        for (String[] c : new String[][] {{"escape", "/secret.txt"}, {"deeper/via", "/secret.txt"}, {"abs", "/nowhere/at-all"},
                {"deeper/missing", "/deeper/missing"}, {"escape/x", "/escape/x"}}) {
            SourceNotFoundException e = assertThrows(SourceNotFoundException.class,
                    () -> CopySelection.select(tree, List.of(c[0]), CopyFlags.NONE), c[0]);
            assertEquals("\"" + c[1] + "\": not found", e.getMessage(), c[0]);
        }
    }

    @Test
    void symlinkLoopIsAnError() {
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> CopySelection.select(tree(), List.of("loop1"), CopyFlags.NONE));
        assertTrue(e.getMessage().contains("too many levels of symbolic links"));
    }

    @Test
    void linkOutOfTheContextReadsTheContextFile() throws Exception {
        SourceTree tree = tree();
        Selected s = CopySelection.select(tree, List.of("climb"), CopyFlags.NONE).get(0);
        assertEquals("context copy", TestTrees.read(tree, s.root()));
    }

    @Test
    void membersCarryMetadataAndLinksStayLinks() throws Exception {
        Selected s = CopySelection.select(tree(), List.of("src"), CopyFlags.NONE).get(0);
        Member link = s.members().stream().filter(m -> m.relativePath().equals("link-to-a")).findFirst().orElseThrow();
        assertEquals(FileKind.SYMLINK, link.file().kind());
        assertEquals("a.txt", link.file().linkTarget());
        assertEquals(FileKind.DIRECTORY, s.members().get(0).file().kind());
        assertEquals("/src", s.members().get(0).file().path());
    }

    @Test
    void dockerignoredFilesAreInvisibleToCopy() throws Exception {
        SourceTree tree = BuildContexts.directory(context, DockerIgnore.parse("**/*.md\nsrc/sub\n!src/sub/deep\n"));
        assertEquals(List.of("'' <- /docs: . api api/notes.txt"),
                describe(CopySelection.select(tree, List.of("docs"), CopyFlags.NONE), false));
        assertEquals(List.of("'' <- /src: . a.txt abs-link link-to-a sub sub/deep sub/deep/c.txt"),
                describe(CopySelection.select(tree, List.of("src"), CopyFlags.NONE), false));
        assertEquals(List.of(), describe(CopySelection.select(tree, List.of("*.md"), CopyFlags.NONE), false));
        SourceNotFoundException e = assertThrows(SourceNotFoundException.class,
                () -> CopySelection.select(tree, List.of("c.md"), CopyFlags.NONE));
        assertEquals("\"/c.md\": not found", e.getMessage());
        assertThrows(SourceNotFoundException.class,
                () -> CopySelection.select(tree, List.of("src/sub/b.txt"), CopyFlags.NONE));
    }

    @Test
    void invalidExcludePatternIsReported() {
        assertThrows(DockerIgnoreException.class,
                () -> CopySelection.select(tree(), List.of("src"), new CopyFlags(false, List.of("[a"))));
    }

    private static void assertNotFound(String source, String message) {
        SourceNotFoundException e = assertThrows(SourceNotFoundException.class,
                () -> CopySelection.select(tree(), List.of(source), CopyFlags.NONE));
        assertEquals(message, e.getMessage());
    }

    static List<String> describe(List<Selected> selected, boolean parents) {
        List<String> out = new ArrayList<>();
        for (Selected s : selected) {
            String dest = s.destinationName().isEmpty() ? "''" : s.destinationName();
            String members = s.members().stream()
                    .map(m -> m.relativePath().isEmpty() ? "." : m.relativePath())
                    .collect(Collectors.joining(" "));
            String line = dest + " <- " + s.root().path() + ": " + members;
            if (parents) {
                line += " {" + s.parentDirectories().stream().map(SourceFile::path).collect(Collectors.joining(" ")) + "}";
            }
            out.add(line);
        }
        return out;
    }

    private static Arguments plain(String source, String... expected) {
        return sources(List.of(source), CopyFlags.NONE, expected);
    }

    private static Arguments excluding(String source, List<String> excludes, String... expected) {
        return sources(List.of(source), new CopyFlags(false, excludes), expected);
    }

    private static Arguments parents(String source, String... expected) {
        return sources(List.of(source), new CopyFlags(true, List.of()), expected);
    }

    private static Arguments sources(List<String> sources, CopyFlags flags, String... expected) {
        return Arguments.of(sources, flags, Arrays.asList(expected));
    }
}
