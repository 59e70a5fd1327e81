package dev.jbuild.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.cache.BuildCache;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.layer.LayerEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The local build cache: what hits, what misses, and what a hit gives back. Builds without RUN. */
class BuildCacheTest {

    @TempDir
    Path temp;

    BuildFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(temp.resolve("context"));
        fixture = new BuildFixture(temp.resolve("context"), temp.resolve("store"));
        fixture.file("a.txt", "A\n").file("b.txt", "B\n").file("dir/x", "X\n").file("dir/y.log", "Y\n")
                .file("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
                .file("group", "root:x:0:\napp:x:1000:\n");
    }

    private static final String PREFIX = "FROM scratch\nCOPY passwd group /etc/\nCOPY a.txt /a.txt\n";
    private static final String SUFFIX = "COPY b.txt /b.txt\nLABEL last=1\n";

    /** Builds PREFIX + line + SUFFIX twice with different middle lines: the prefix hits, the rest misses. */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("changedInstructions")
    void changingAnInstructionOrAFlagInvalidatesItAndWhatFollows(String before, String after) throws Exception {
        BuildResult first = fixture.build(PREFIX + before + "\n" + SUFFIX);
        BuildResult warm = fixture.build(PREFIX + before + "\n" + SUFFIX);
        // ONBUILD writes no history entry (as in BuildKit), so it has no record: it is applied again, for nothing.
        assertEquals(fixture.steps.stream().filter(step -> !step.startsWith("ONBUILD")).toList(), fixture.cachedSteps,
                "a warm rebuild takes every step from the cache");
        assertEquals(first.manifest().digest(), warm.manifest().digest());
        fixture.build(PREFIX + after + "\n" + SUFFIX);
        assertEquals(List.of("COPY passwd group /etc/", "COPY a.txt /a.txt"), fixture.cachedSteps,
                "steps before the change hit, the changed step and every later one miss");
    }

    /**
     * {@code COPY dir /d} writes the contents of dir into /d, which it creates as a fresh 0755 directory: the
     * source directory's own mode is in no output, so changing it keeps the cache (as in BuildKit), while with
     * --parents, where /p/dir is written with dir's mode, it does not; nor does a change below dir.
     */
    @Test
    void theModeOfACopiedDirectoryItselfIsInTheKeyOnlyWhereTheLayerHasIt() throws Exception {
        Path dir = fixture.context.resolve("dir");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String contents = "FROM scratch\nCOPY dir /d\nCOPY dir/ /e/\n";
        String parents = "FROM scratch\nCOPY --parents dir /p/\n";
        BuildResult first = fixture.build(contents);
        BuildResult withParents = fixture.build(parents);

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        BuildResult again = fixture.build(contents);
        assertEquals(List.of("COPY dir /d", "COPY dir/ /e/"), fixture.cachedSteps, "the layers would be the same");
        assertEquals(first.manifest().digest(), again.manifest().digest());
        assertEquals(0755, fixture.layers(again).get(0).get("d").attributes().mode(), "/d is a fresh directory");
        BuildResult changedParents = fixture.build(parents);
        assertEquals(List.of(), fixture.cachedSteps, "--parents writes /p/dir with dir's mode");
        assertEquals(0711, fixture.layers(changedParents).get(0).get("p/dir").attributes().mode());
        assertNotEquals(withParents.manifest().digest(), changedParents.manifest().digest());

        Files.setPosixFilePermissions(dir.resolve("x"), PosixFilePermissions.fromString("rw-------"));
        fixture.build(contents);
        assertEquals(List.of(), fixture.cachedSteps, "a file below the directory changed");
    }

    static Stream<Arguments> changedInstructions() {
        return Stream.of(
                Arguments.of("COPY dir /d", "COPY --chmod=600 dir /d"),
                Arguments.of("COPY dir /d", "COPY --chown=app dir /d"),
                Arguments.of("COPY --chown=app dir /d", "COPY --chown=1000:1000 dir /d"),
                Arguments.of("COPY dir /d", "COPY --link dir /d"),
                Arguments.of("COPY dir /d", "COPY --exclude=*.log dir /d"),
                Arguments.of("COPY dir/x /d/", "COPY --parents dir/x /d/"),
                Arguments.of("COPY dir /d", "COPY dir /e"),
                Arguments.of("COPY dir /d", "COPY dir a.txt /d/"),
                Arguments.of("COPY dir /d", "COPY  dir /d"),
                Arguments.of("COPY <<EOF /h\nhello\nEOF", "COPY <<EOF /h\nhello!\nEOF"),
                Arguments.of("ADD dir /d", "ADD --chmod=700 dir /d"),
                Arguments.of("ADD dir /d", "ADD --chown=app dir /d"),
                Arguments.of("ADD dir /d", "ADD --link dir /d"),
                Arguments.of("ADD dir /d", "ADD --exclude=x dir /d"),
                Arguments.of("ADD a.txt /d", "ADD --unpack=false a.txt /d"),
                Arguments.of("ADD a.txt /d", "ADD --keep-git-dir a.txt /d"),
                Arguments.of("WORKDIR /w", "WORKDIR /v"),
                Arguments.of("HEALTHCHECK CMD [\"/bin/check\"]", "HEALTHCHECK --interval=5s CMD [\"/bin/check\"]"),
                Arguments.of("HEALTHCHECK CMD [\"/bin/check\"]", "HEALTHCHECK --timeout=5s CMD [\"/bin/check\"]"),
                Arguments.of("HEALTHCHECK CMD [\"/bin/check\"]", "HEALTHCHECK --retries=9 CMD [\"/bin/check\"]"),
                Arguments.of("HEALTHCHECK CMD [\"/bin/check\"]", "HEALTHCHECK --start-period=9s CMD [\"/bin/check\"]"),
                Arguments.of("HEALTHCHECK CMD [\"/bin/check\"]", "HEALTHCHECK CMD [\"/bin/check\", \"-v\"]"),
                Arguments.of("HEALTHCHECK CMD [\"/bin/check\"]", "HEALTHCHECK NONE"),
                Arguments.of("ONBUILD RUN make", "ONBUILD RUN make install"),
                Arguments.of("ONBUILD RUN make", "ONBUILD COPY . /src"),
                Arguments.of("SHELL [\"/bin/sh\", \"-c\"]", "SHELL [\"/bin/bash\", \"-c\"]"),
                Arguments.of("ENV A=1", "ENV A=2"),
                Arguments.of("ENV A=1", "ENV B=1"),
                Arguments.of("LABEL a=1", "LABEL a=2"),
                Arguments.of("EXPOSE 80", "EXPOSE 80/udp"),
                Arguments.of("VOLUME /v", "VOLUME /w"),
                Arguments.of("USER app", "USER 1000"),
                Arguments.of("CMD [\"a\"]", "CMD a"),
                Arguments.of("ENTRYPOINT [\"a\"]", "ENTRYPOINT [\"b\"]"),
                Arguments.of("STOPSIGNAL SIGTERM", "STOPSIGNAL SIGKILL"),
                Arguments.of("MAINTAINER me", "MAINTAINER you"),
                Arguments.of("ARG X", "ARG Y"));
    }

    @Test
    void aWarmRebuildDoesNoLayerWorkAndGivesTheSameDigestWithoutSourceDateEpoch() throws Exception {
        String dockerfile = PREFIX + "WORKDIR /w\nCOPY dir .\nENV A=1\nCMD [\"/a.txt\"]\n";
        BuildResult first = fixture.build(dockerfile);
        long blobs;
        try (Stream<Path> files = Files.list(temp.resolve("store/blobs/sha256"))) {
            blobs = files.count();
        }
        Thread.sleep(1100); // a later second: a rebuilt config would have another created time
        BuildResult second = fixture.build(dockerfile);
        assertEquals(fixture.steps, fixture.cachedSteps);
        assertEquals(first.manifest().digest(), second.manifest().digest());
        assertEquals(first.config(), second.config());
        try (Stream<Path> files = Files.list(temp.resolve("store/blobs/sha256"))) {
            assertEquals(blobs, files.count(), "no new blob: no layer was written again");
        }
    }

    @Test
    void aWarmRebuildWithSourceDateEpochGivesTheSameDigestAndCreatedTime() throws Exception {
        fixture.sourceDateEpoch = Instant.ofEpochSecond(1_700_000_000L);
        String dockerfile = PREFIX + "COPY dir /d\n";
        BuildResult first = fixture.build(dockerfile);
        BuildResult second = fixture.build(dockerfile);
        assertEquals(first.manifest().digest(), second.manifest().digest());
        assertEquals("2023-11-14T22:13:20Z", fixture.config(second).created());
    }

    @Test
    void aHitGivesTheSameImageAsARealBuild() throws Exception {
        String dockerfile = PREFIX + "WORKDIR /w\nCOPY --chown=app dir sub/\nUSER app\nCOPY b.txt .\n";
        BuildResult cold = fixture.build(dockerfile);
        Map<String, String> coldText = new HashMap<>();
        var coldTree = fixture.tree(cold, coldText);
        BuildResult warm = fixture.build(dockerfile);
        Map<String, String> warmText = new HashMap<>();
        assertEquals(describe(coldTree), describe(fixture.tree(warm, warmText)));
        assertEquals(coldText, warmText);
        ImageConfig config = fixture.config(warm);
        assertEquals("/w", config.config().workingDir());
        assertEquals("app", config.config().user());
        assertEquals(fixture.config(cold).history(), config.history());
    }

    private static Map<String, String> describe(Map<String, LayerEntry> tree) {
        Map<String, String> out = new TreeMap<>();
        tree.forEach((path, entry) -> out.put(path, entry.getClass().getSimpleName() + " " + entry.attributes()));
        return out;
    }

    @Test
    void changingAFileRerunsOnlyFromTheFirstStepThatReadsIt() throws Exception {
        String dockerfile = PREFIX + "COPY dir /d\nENV X=1\nCOPY b.txt /b.txt\nCOPY a.txt /again\n";
        fixture.build(dockerfile);
        fixture.file("b.txt", "B changed\n");
        fixture.build(dockerfile);
        assertEquals(List.of("COPY passwd group /etc/", "COPY a.txt /a.txt", "COPY dir /d", "ENV X=1"), fixture.cachedSteps);
        fixture.file("dir/x", "X changed\n");
        fixture.build(dockerfile);
        assertEquals(List.of("COPY passwd group /etc/", "COPY a.txt /a.txt"), fixture.cachedSteps);
    }

    @Test
    void touchingAFileKeepsTheCacheButChangingItsModeDoesNot() throws Exception {
        String dockerfile = PREFIX + "COPY dir /d\n";
        fixture.build(dockerfile);
        Path x = fixture.context.resolve("dir/x");
        Files.setLastModifiedTime(x, FileTime.from(Instant.now().plusSeconds(60)));
        fixture.build(dockerfile);
        assertEquals(fixture.steps, fixture.cachedSteps, "a touched file has the same content");
        // Same size, same mtime, new content: ctime tells.
        FileTime mtime = Files.getLastModifiedTime(x);
        Files.writeString(x, "Z\n");
        Files.setLastModifiedTime(x, mtime);
        fixture.build(dockerfile);
        assertEquals(List.of("COPY passwd group /etc/", "COPY a.txt /a.txt"), fixture.cachedSteps);
        Files.setPosixFilePermissions(x, PosixFilePermissions.fromString("rwx------"));
        fixture.build(dockerfile);
        assertEquals(List.of("COPY passwd group /etc/", "COPY a.txt /a.txt"), fixture.cachedSteps);
    }

    @Test
    void theDigestCacheRemembersOldFilesAndIsRewrittenAtomically() throws Exception {
        Path old = fixture.context.resolve("a.txt");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(3600)));
        Thread.sleep(2100); // files changed in the last two seconds are not remembered (their ctime here)
        fixture.build(PREFIX);
        String files = Files.readString(temp.resolve("store/cache/files"));
        assertTrue(files.contains(old.toRealPath().toString()), files);
        try (Stream<Path> entries = Files.list(temp.resolve("store/cache"))) {
            assertFalse(entries.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void argValuesInvalidateOnlyTheStepsThatUseThem() throws Exception {
        String dockerfile = "FROM scratch\nARG V\nCOPY a.txt /a.txt\nLABEL v=$V\nCOPY b.txt /b.txt\n";
        fixture.buildArgs = Map.of("V", "1");
        fixture.build(dockerfile);
        fixture.buildArgs = Map.of("V", "2");
        fixture.build(dockerfile);
        assertEquals(List.of("ARG V", "COPY a.txt /a.txt"), fixture.cachedSteps);
        String unused = "FROM scratch\nARG V\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n";
        fixture.build(unused);
        fixture.buildArgs = Map.of("V", "3");
        fixture.build(unused);
        assertEquals(fixture.steps, fixture.cachedSteps, "no step can see V's value");
        String inPath = "FROM scratch\nARG V\nCOPY a.txt /$V/a.txt\nCOPY b.txt /b.txt\n";
        fixture.build(inPath);
        fixture.buildArgs = Map.of("V", "4");
        fixture.build(inPath);
        assertEquals(List.of("ARG V"), fixture.cachedSteps);
    }

    @Test
    void envValuesInvalidateEveryLaterStep() throws Exception {
        String dockerfile = "FROM scratch\nARG V\nCOPY a.txt /a.txt\nENV E=$V\nCOPY b.txt /b.txt\n";
        fixture.buildArgs = Map.of("V", "1");
        fixture.build(dockerfile);
        fixture.buildArgs = Map.of("V", "2");
        BuildResult result = fixture.build(dockerfile);
        assertEquals(List.of("ARG V", "COPY a.txt /a.txt"), fixture.cachedSteps);
        assertTrue(fixture.config(result).config().env().contains("E=2"));
    }

    @Test
    void noCacheAndNoCacheFilter() throws Exception {
        String dockerfile = "FROM scratch AS one\nCOPY a.txt /a.txt\nFROM scratch AS two\nCOPY b.txt /b.txt\n"
                + "COPY --from=one /a.txt /a.txt\n";
        BuildResult first = fixture.build(dockerfile);
        fixture.cacheOptions = new CacheOptions(true, Set.of());
        BuildResult uncached = fixture.build(dockerfile);
        assertEquals(List.of(), fixture.cachedSteps);
        assertEquals(fixture.manifest(first).layers(), fixture.manifest(uncached).layers(), "the same inputs give the same layers");
        fixture.cacheOptions = new CacheOptions(false, Set.of("one"));
        fixture.build(dockerfile);
        assertEquals(List.of("COPY b.txt /b.txt", "COPY --from=one /a.txt /a.txt"), fixture.cachedSteps);
        fixture.cacheOptions = new CacheOptions(false, Set.of("1"));
        fixture.build(dockerfile);
        assertEquals(List.of("COPY a.txt /a.txt"), fixture.cachedSteps, "stages by index too");
    }

    @Test
    void copyFromAStageFollowsTheContentOfThatStage() throws Exception {
        String dockerfile = "FROM scratch AS one\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n"
                + "FROM scratch\nCOPY --from=one /a.txt /a.txt\n";
        fixture.build(dockerfile);
        fixture.file("b.txt", "B2\n");
        fixture.build(dockerfile);
        assertEquals(List.of("COPY a.txt /a.txt", "COPY --from=one /a.txt /a.txt"), fixture.cachedSteps,
                "/a.txt of stage one is the same");
        fixture.file("a.txt", "A2\n");
        BuildResult result = fixture.build(dockerfile);
        assertEquals(List.of(), fixture.cachedSteps);
        Map<String, String> text = new HashMap<>();
        fixture.tree(result, text);
        assertEquals("A2\n", text.get("a.txt"));
    }

    @Test
    void aRecordWhoseLayerWasRemovedIsAMiss() throws Exception {
        String dockerfile = PREFIX;
        BuildResult first = fixture.build(dockerfile);
        for (var layer : fixture.manifest(first).layers()) {
            Files.delete(fixture.store.path(layer.digest()));
        }
        Files.writeString(temp.resolve("store/cache/records/" + "0".repeat(64)), "{garbage");
        BuildResult second = fixture.build(dockerfile);
        assertEquals(List.of(), fixture.cachedSteps);
        assertEquals(fixture.manifest(first).layers(), fixture.manifest(second).layers());
        for (var layer : fixture.manifest(second).layers()) {
            assertTrue(fixture.store.has(layer.digest()));
        }
    }

    @Test
    void recordsAreSmallJsonFilesNamingTheirLayer() throws Exception {
        fixture.build(PREFIX);
        List<String> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(temp.resolve("store/cache/records"))) {
            for (Path file : files.toList()) {
                assertTrue(file.getFileName().toString().matches("[0-9a-f]{64}"), file.toString());
                records.add(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        assertEquals(2, records.size());
        for (String record : records) {
            BuildCache.Entry entry = BuildCache.parse(record.getBytes(StandardCharsets.UTF_8));
            assertTrue(fixture.store.has(entry.layer().descriptor().digest()));
            assertFalse(entry.history().emptyLayer());
        }
        assertNotEquals(records.get(0), records.get(1));
    }
}
