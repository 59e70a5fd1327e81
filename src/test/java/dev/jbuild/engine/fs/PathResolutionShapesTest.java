package dev.jbuild.engine.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RootedResolver;
import dev.jbuild.layer.TooManyLinksException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shape of link, resolved in the same tree held two ways: as a real directory (the context,
 * a directory a layer is applied to, the sandbox's root) and as a stage's layer view. Each shape has
 * its expected answer for the four questions jbuild asks (read or write, last link followed or not),
 * and every implementation must give exactly that answer, or the same error.
 */
class PathResolutionShapesTest {

    private static final String NONE = "-"; // nothing to read there
    private static final String ELOOP = "ELOOP";

    /** The tree: directories, files, and links by target. */
    private static final Map<String, String> LINKS = new LinkedHashMap<>();

    static {
        LINKS.put("a/up", "..");                       // relative, climbing to the root
        LINKS.put("a/b/far", "../../../../..");         // a ".." chain that would escape the root
        LINKS.put("a/abs", "/a/b");                     // absolute: from the root of the tree
        LINKS.put("a/escape", "/../../a");              // absolute, climbing above the root
        LINKS.put("a/rel", "b/in.txt");                 // relative, to a file
        LINKS.put("a/tolink", "rel");                   // to a link
        LINKS.put("a/dangling", "missing/new");         // to something missing
        LINKS.put("a/dangabs", "/nowhere/x");           // absolute, to something missing
        LINKS.put("a/viafile", "../top.txt/x");         // through a file
        LINKS.put("a/dot", ".");                        // to its own directory
        LINKS.put("a/updir", "b/..");                   // ".." in a target after a directory
        LINKS.put("a/uplink", "up/..");                 // ".." in a target after a link: after it, not lexical
        LINKS.put("a/b/sub", "../up/a");                // through a link in the middle of a target
        LINKS.put("loop", "loop");                      // a loop
        LINKS.put("ping", "pong/x");                    // a loop of two
        LINKS.put("pong", "ping/y");
        for (int i = 0; i < 255; i++) {                 // chain/c1 needs 255 links, chain/c0 256
            LINKS.put("chain/c" + i, "c" + (i + 1));
        }
        LINKS.put("chain/c255", "../top.txt");
    }

    private static final List<String> DIRECTORIES = List.of("a", "a/b", "chain");
    private static final List<String> FILES = List.of("a/b/in.txt", "top.txt");

    /** path, then: read without following the last link, read following it, write without, write with. */
    private static final String[][] SHAPES = {
            {"", "", "", "", ""},
            {".", "", "", "", ""},
            {"/", "", "", "", ""},
            {"a/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt"},
            {"a/up", "a/up", "", "a/up", ""},
            {"a/up/", "a/up", "", "a/up", ""},                    // a trailing slash is cleaned away, as BuildKit does
            {"a/up/.", "a/up", "", "a/up", ""},
            {"a/up/top.txt", "top.txt", "top.txt", "top.txt", "top.txt"},  // a link in the middle
            {"a/up/a/up/a/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt"},
            {"a/b/far", "a/b/far", "", "a/b/far", ""},
            {"a/b/far/top.txt", "top.txt", "top.txt", "top.txt", "top.txt"},
            {"../../top.txt", "top.txt", "top.txt", "top.txt", "top.txt"},  // ".." written in the path is lexical
            {"a/b/../../..", "", "", "", ""},
            {"a/up/..", "a", "a", "a", "a"},                    // lexical first: not the root's parent
            {"a/abs", "a/abs", "a/b", "a/abs", "a/b"},
            {"a/abs/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt"},
            {"a/escape", "a/escape", "a", "a/escape", "a"},
            {"a/rel", "a/rel", "a/b/in.txt", "a/rel", "a/b/in.txt"},
            {"a/tolink", "a/tolink", "a/b/in.txt", "a/tolink", "a/b/in.txt"},
            {"a/rel/x", NONE, NONE, "a/b/in.txt/x", "a/b/in.txt/x"},
            {"a/dangling", "a/dangling", NONE, "a/dangling", "a/missing/new"},
            {"a/dangling/f", NONE, NONE, "a/missing/new/f", "a/missing/new/f"},
            {"a/dangabs/y", NONE, NONE, "nowhere/x/y", "nowhere/x/y"},
            {"a/viafile", "a/viafile", NONE, "a/viafile", "top.txt/x"},
            {"top.txt/x", NONE, NONE, "top.txt/x", "top.txt/x"},
            {"a/missing/x", NONE, NONE, "a/missing/x", "a/missing/x"},
            {"a/dot", "a/dot", "a", "a/dot", "a"},
            {"a/dot/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt"},
            {"a/updir", "a/updir", "a", "a/updir", "a"},
            {"a/uplink", "a/uplink", "", "a/uplink", ""},
            {"a/b/sub", "a/b/sub", "a", "a/b/sub", "a"},
            {"a/b/sub/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt", "a/b/in.txt"},
            {"loop", "loop", ELOOP, "loop", ELOOP},
            {"loop/x", ELOOP, ELOOP, ELOOP, ELOOP},
            {"ping", "ping", ELOOP, "ping", ELOOP},
            {"ping/z", ELOOP, ELOOP, ELOOP, ELOOP},
            {"chain/c1", "chain/c1", "top.txt", "chain/c1", "top.txt"},
            {"chain/c0", "chain/c0", ELOOP, "chain/c0", ELOOP},
            {"chain/c0/x", ELOOP, ELOOP, ELOOP, ELOOP},
    };

    @TempDir
    static Path temp;

    static Path host;
    static FsView view;
    static SourceTree context;
    static SourceTree stage;

    @BeforeAll
    static void makeTheTreeBothWays() throws Exception {
        host = Files.createDirectory(temp.resolve("root")).toRealPath();
        view = new FsView();
        view.beginLayer();
        for (String dir : DIRECTORIES) {
            Files.createDirectories(host.resolve(dir));
            view.apply(new LayerEntry.Directory(dir, EntryAttributes.of(0755)), null);
        }
        for (String file : FILES) {
            Files.writeString(host.resolve(file), file);
            view.apply(LayerEntry.RegularFile.of(file, EntryAttributes.of(0644), file.getBytes()), null);
        }
        for (Map.Entry<String, String> link : LINKS.entrySet()) {
            Files.createSymbolicLink(host.resolve(link.getKey()), Path.of(link.getValue()));
            view.apply(new LayerEntry.Symlink(link.getKey(), EntryAttributes.of(0777), link.getValue()), null);
        }
        context = BuildContexts.directory(host, DockerIgnore.none());
        stage = new FsViewTree(view, null);
    }

    /** One way to answer one question: a path to a result (a resolved path, NONE, or an exception). */
    @FunctionalInterface
    interface Question {
        String ask(String path) throws Exception;
    }

    private static String read(RootedResolver.Root root, String path, boolean followLast) throws Exception {
        return RootedResolver.lookup(root, path, followLast).map(RootedResolver.Resolved::path).orElse(NONE);
    }

    private static String tree(Optional<SourceFile> file) {
        return file.map(f -> f.path().substring(1)).orElse(NONE);
    }

    /** The implementations for each question: the resolver over each tree, and each tree's own API. */
    private static Map<String, Question> implementations(int question) {
        RootedResolver.Root hostRoot = RootedResolver.hostRoot(host);
        RootedResolver.Root viewRoot = view::entryAt;
        Map<String, Question> ways = new LinkedHashMap<>();
        switch (question) {
            case 1 -> {
                ways.put("real directory", p -> read(hostRoot, p, false));
                ways.put("layer view", p -> read(viewRoot, p, false));
                ways.put("FsView.locate", p -> view.locate(p, false).map(RootedResolver.Resolved::path).orElse(NONE));
                ways.put("context lookup", p -> tree(context.lookup(p)));
                ways.put("COPY --from lookup", p -> tree(stage.lookup(p)));
            }
            case 2 -> {
                ways.put("real directory", p -> read(hostRoot, p, true));
                ways.put("layer view", p -> read(viewRoot, p, true));
                ways.put("FsView.locate", p -> view.locate(p, true).map(RootedResolver.Resolved::path).orElse(NONE));
                ways.put("context resolve", p -> tree(context.resolve(p)));
                ways.put("COPY --from resolve", p -> tree(stage.resolve(p)));
            }
            case 3 -> {
                ways.put("real directory", p -> RootedResolver.forWriting(hostRoot, p, false).path());
                ways.put("layer view", p -> RootedResolver.forWriting(viewRoot, p, false).path());
            }
            default -> {
                ways.put("real directory", p -> RootedResolver.forWriting(hostRoot, p, true).path());
                ways.put("layer view", p -> RootedResolver.forWriting(viewRoot, p, true).path());
                ways.put("sandbox resolveInside", p -> RootedResolver.resolveInside(host, p));
                ways.put("FsView.writePath", p -> view.writePath(p));
            }
        }
        return ways;
    }

    private static final String[] QUESTIONS = {null, "read", "read, last followed", "write", "write, last followed"};

    @TestFactory
    Stream<DynamicTest> everyShapeGivesTheSameAnswerInEveryTree() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] shape : SHAPES) {
            for (int question = 1; question <= 4; question++) {
                String path = shape[0];
                String expected = shape[question];
                Map<String, Question> ways = implementations(question);
                tests.add(DynamicTest.dynamicTest("'" + path + "' " + QUESTIONS[question], () -> {
                    for (Map.Entry<String, Question> way : ways.entrySet()) {
                        assertEquals(expected, answer(way.getValue(), path), way.getKey() + " for '" + path + "'");
                    }
                }));
            }
        }
        return tests.stream();
    }

    /** The answer, or ELOOP for the one error, whose message must be the same everywhere. */
    private static String answer(Question question, String path) throws Exception {
        try {
            return question.ask(path);
        } catch (TooManyLinksException e) {
            assertEquals("/" + LayerPaths.clean(path) + ": too many levels of symbolic links", e.getMessage());
            return ELOOP;
        }
    }

    @TestFactory
    Stream<DynamicTest> whatIsADirectoryIsTheSameInEveryTree() {
        return Stream.of(SHAPES).filter(shape -> !shape[2].equals(ELOOP)).map(shape -> DynamicTest.dynamicTest(
                "'" + shape[0] + "'", () -> {
                    String resolved = shape[2];
                    boolean expected = resolved.isEmpty() || DIRECTORIES.contains(resolved);
                    assertEquals(expected, !resolved.equals(NONE) && Files.isDirectory(host.resolve("./" + resolved)),
                            "the host's own answer for " + resolved);
                    assertEquals(expected, view.isDirectory(shape[0]), "FsView.isDirectory");
                    assertEquals(expected, context.resolve(shape[0]).map(SourceFile::isDirectory).orElse(false), "context");
                    assertEquals(expected, stage.resolve(shape[0]).map(SourceFile::isDirectory).orElse(false), "COPY --from");
                }));
    }
}
