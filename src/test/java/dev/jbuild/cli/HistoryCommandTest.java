package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Platform;
import dev.jbuild.store.BuildRecord;
import dev.jbuild.store.BuildRecords;
import dev.jbuild.store.Store;
import dev.jbuild.testing.DownloadServer;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build record as the CLI writes it (one line per build that read its Dockerfile, success or
 * failure) and {@code jbuild history}.
 */
class HistoryCommandTest {

    @TempDir
    Path temp;

    private Path store() {
        return temp.resolve("store");
    }

    private Path context(String dockerfile) throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "a\n");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return context;
    }

    private List<BuildRecords.Entry> records() throws Exception {
        BuildRecords.Reading reading = Store.open(store()).buildRecords().read();
        assertEquals(0, reading.unreadable());
        return reading.entries();
    }

    private static String firstLine(String path) throws Exception {
        return Files.readAllLines(Path.of(path)).get(0);
    }

    @Test
    void aBuildRecordsWhoBuiltWhatFromWhichDockerfile() throws Exception {
        String dockerfile = "FROM scratch\nCOPY a.txt /\nCOPY a.txt /b.txt\n";
        Path context = context(dockerfile);
        Path iid = temp.resolve("iid");
        Path metadata = temp.resolve("metadata.json");
        Instant before = Instant.now();
        CliTest.Result result = CliTest.run("--root", store().toString(), "build", "--progress=plain", "-t", "app:1", "-t",
                "registry.example/team/app:2", "--build-arg", "VERSION=1.2.3", "--build-arg", "UNUSED", "--iidfile", iid.toString(),
                "--metadata-file", metadata.toString(), context.toString());
        assertEquals(0, result.exitCode(), result.err());
        Instant after = Instant.now();

        List<BuildRecords.Entry> entries = records();
        assertEquals(1, entries.size());
        BuildRecord record = entries.get(0).record();
        assertTrue(record.id().matches("[0-9a-f]{12}"), record.id());
        assertFalse(record.started().isBefore(before.minusMillis(1)) || record.finished().isAfter(after.plusMillis(1)),
                record.started() + " " + record.finished());
        assertFalse(record.finished().isBefore(record.started()));
        assertEquals(System.getProperty("user.name"), record.user());
        assertEquals(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue(), record.uid());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), record.host());
        assertEquals(new BuildRecord.Invocation(List.of("docker.io/library/app:1", "registry.example/team/app:2"), null,
                List.of(Platform.host().toString()), List.of("VERSION", "UNUSED"), List.of(),
                Digest.of(dockerfile.getBytes(StandardCharsets.UTF_8))), record.invocation());
        JsonNode written = new ObjectMapper().readTree(metadata.toFile());
        assertEquals(new BuildRecord.Outcome(0, null, Digest.parse(written.get("containerimage.digest").asText()),
                Digest.parse(Files.readString(iid)), List.of(), 2, 0), record.outcome());

        // Again: all cached, a second line after the first.
        assertEquals(0, CliTest.run("--root", store().toString(), "build", "-q", "-t", "app:1", context.toString()).exitCode());
        entries = records();
        assertEquals(2, entries.size());
        assertEquals(2, entries.get(1).record().outcome().cached());
        assertFalse(entries.get(0).record().id().equals(entries.get(1).record().id()));
    }

    @Test
    void theRecordNamesTheBaseImageAndTheContextByDigest() throws Exception {
        Path context = context("FROM scratch\nCOPY a.txt /\n");
        Path metadata = temp.resolve("metadata.json");
        assertEquals(0, CliTest.run("--root", store().toString(), "build", "-q", "-t", "base:1", "--metadata-file",
                metadata.toString(), context.toString()).exitCode());
        String baseManifest = Digest.parse(new ObjectMapper().readTree(metadata.toFile()).get("containerimage.digest").asText()).hex();
        Files.writeString(context.resolve("Dockerfile"), "FROM base:1\nCOPY a.txt /again.txt\n");
        Files.writeString(context.resolve("unread.txt"), "x\n");
        for (int i = 0; i < 2; i++) {
            assertEquals(0, CliTest.run("--root", store().toString(), "build", "-q", context.toString()).exitCode());
        }
        Files.writeString(context.resolve("a.txt"), "changed\n");
        assertEquals(0, CliTest.run("--root", store().toString(), "build", "-q", context.toString()).exitCode());

        List<BuildRecords.Entry> entries = records();
        assertEquals(List.of(), entries.get(0).record().materials(), "FROM scratch reads no image");
        BuildRecord onBase = entries.get(1).record();
        assertEquals(List.of(new BuildRecord.Material("pkg:docker/base@1?platform=" + Platform.host().toString().replace("/", "%2F"),
                Map.of("sha256", baseManifest))), onBase.materials());
        assertEquals(onBase.materials(), entries.get(3).record().materials());
        assertTrue(onBase.context() != null);
        assertEquals(onBase.context(), entries.get(2).record().context(), "the same files read, the same digest");
        assertFalse(onBase.context().equals(entries.get(3).record().context()), "a file the build copies changed");
        assertTrue(entries.get(1).line().contains(",\"context\":\"" + onBase.context() + "\",\"materials\":[{\"uri\":\"pkg:docker/base@1?"),
                entries.get(1).line());
    }

    @Integration
    @Test
    void aPushIsRecordedWithTheDigestTheRegistryStored() throws Exception {
        Path context = context("FROM scratch\nCOPY a.txt /\n");
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String name = registry.reference("history/app", "1");
            CliTest.Result pushed = CliTest.run("--root", store().toString(), "build", "--progress=plain", "-t", name, "--push",
                    context.toString());
            assertEquals(0, pushed.exitCode(), pushed.err());
            BuildRecord record = records().get(0).record();
            // As the build prints it: the repository and the digest the registry stored.
            String reference = name.substring(0, name.lastIndexOf(':')) + "@" + record.outcome().manifest();
            assertEquals(List.of(reference), record.outcome().pushed());
            assertTrue(pushed.err().contains("\npushed " + reference + "\n"), pushed.err());
        }
    }

    @Test
    void aDockerfileFromStandardInputIsRecordedByTheDigestOfItsBytes() throws Exception {
        Path context = context("FROM scratch\n");
        // Not UTF-8 in a comment: the digest is of the bytes read, not of their decoding.
        byte[] dockerfile = "FROM scratch\n# caf\u00e9 \nCOPY a.txt /\n".getBytes(StandardCharsets.ISO_8859_1);
        CliTest.Result result = CliTest.runWithStdin(dockerfile, "--root", store().toString(), "build", "-q", "-f", "-",
                context.toString());
        assertEquals(0, result.exitCode(), result.err());
        assertEquals(Digest.of(dockerfile), records().get(0).record().invocation().dockerfile());
    }

    @Test
    void aFailedBuildRecordsItsExitStatusAndOneLineMessage() throws Exception {
        Path context = context("FROM scratch\nCOPY missing.txt /\n");
        CliTest.Result failed = CliTest.run("--root", store().toString(), "build", "--progress=plain", "-t", "app:1",
                context.toString());
        assertEquals(ExitCodes.BUILD_FAILED, failed.exitCode(), failed.err());
        // A wrong flag found after the Dockerfile was read: a build that started, so recorded too.
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
        CliTest.Result usage = CliTest.run("--root", store().toString(), "build", "--secret", "id=x,env=JBUILD_NO_SUCH_VARIABLE",
                context.toString());
        assertEquals(ExitCodes.USAGE, usage.exitCode(), usage.err());
        // A syntax error.
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY\n");
        CliTest.Result syntax = CliTest.run("--root", store().toString(), "build", context.toString());
        assertEquals(ExitCodes.BUILD_FAILED, syntax.exitCode(), syntax.err());
        // Before the Dockerfile is read there is no build: not recorded.
        assertEquals(ExitCodes.BUILD_FAILED,
                CliTest.run("--root", store().toString(), "build", temp.resolve("nowhere").toString()).exitCode());

        List<BuildRecords.Entry> entries = records();
        assertEquals(3, entries.size());
        BuildRecord.Outcome copy = entries.get(0).record().outcome();
        assertEquals(1, copy.exitCode());
        assertTrue(copy.error().startsWith("Dockerfile:2") && copy.error().contains("missing.txt"), copy.error());
        assertFalse(copy.error().contains("\n") || copy.error().startsWith("error: "), copy.error());
        assertEquals(failed.err().lines().filter(l -> l.startsWith("Dockerfile:2")).findFirst().orElseThrow().replaceFirst("^error: ", ""),
                copy.error());
        assertNull(copy.manifest());
        assertNull(copy.config());
        assertEquals(List.of("docker.io/library/app:1"), entries.get(0).record().invocation().tags());

        BuildRecord.Outcome flag = entries.get(1).record().outcome();
        assertEquals(ExitCodes.USAGE, flag.exitCode());
        assertEquals("--secret x: environment variable JBUILD_NO_SUCH_VARIABLE is not set", flag.error());
        assertEquals(List.of("x"), entries.get(1).record().invocation().secrets());

        BuildRecord.Outcome parse = entries.get(2).record().outcome();
        assertEquals(1, parse.exitCode());
        assertTrue(parse.error().startsWith("Dockerfile:2"), parse.error());
    }

    /** A failed ADD names its URL: the record keeps the message without the URL's user name and password. */
    @Integration
    @Test
    void aFailedDownloadIsRecordedWithoutTheCredentialsOfItsUrl() throws Exception {
        try (DownloadServer server = DownloadServer.serving(new byte[0])) {
            String url = server.url("x").replace("http://", "http://builder:pw-3e1f9c@").replace("/dl/x", "/missing");
            Path context = context("FROM scratch\nADD " + url + " /x\n");
            CliTest.Result failed = CliTest.run("--root", store().toString(), "build", context.toString());
            assertEquals(ExitCodes.BUILD_FAILED, failed.exitCode(), failed.err());
            String error = records().get(0).record().outcome().error();
            assertTrue(error.contains("HTTP 404") && error.contains(url.replace("builder:pw-3e1f9c@", "")), error);
            assertFalse(Files.readString(store().resolve("builds.jsonl")).contains("pw-3e1f9c"), error);
        }
    }

    @Test
    void theRecordHoldsNoSecretAndNoBuildArgumentValue() throws Exception {
        Path context = context("FROM scratch\nARG TOKEN\nCOPY a.txt /\n");
        String fileSecret = "file-secret-" + UUID.randomUUID();
        String argValue = "arg-value-" + UUID.randomUUID();
        Path secretFile = temp.resolve("secret.txt");
        Files.writeString(secretFile, fileSecret);
        // An environment secret: PATH's value, which every test JVM has, long and unlike anything recorded.
        String environmentValue = System.getenv("PATH");
        assertTrue(environmentValue != null && environmentValue.length() > 8);
        CliTest.Result result = CliTest.run("--root", store().toString(), "build", "-q", "--secret", "id=x,env=PATH",
                "--secret", "id=file,src=" + secretFile, "--build-arg", "TOKEN=" + argValue, context.toString());
        assertEquals(0, result.exitCode(), result.err());
        // And a failed build with the same flags.
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nARG TOKEN\nCOPY nothing /\n");
        assertEquals(1, CliTest.run("--root", store().toString(), "build", "-q", "--secret", "id=x,env=PATH", "--secret",
                "id=file,src=" + secretFile, "--build-arg", "TOKEN=" + argValue, context.toString()).exitCode());

        String file = Files.readString(store().resolve("builds.jsonl"));
        assertEquals(2, file.lines().count(), file);
        for (String value : List.of(fileSecret, argValue, environmentValue, secretFile.toString())) {
            assertFalse(file.contains(value), value + " in " + file);
        }
        for (BuildRecords.Entry entry : records()) {
            assertEquals(List.of("x", "file"), entry.record().invocation().secrets());
            assertEquals(List.of("TOKEN"), entry.record().invocation().buildArgs());
        }
    }

    @Test
    void historyShowsTheNewestFirstAsATableAsJsonAndOneWhole() throws Exception {
        Path context = context("FROM scratch\nCOPY a.txt /\n");
        assertEquals(0, CliTest.run("--root", store().toString(), "build", "-q", "-t", "app:1", context.toString()).exitCode());
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY missing /\n");
        assertEquals(1, CliTest.run("--root", store().toString(), "build", "-q", context.toString()).exitCode());
        List<BuildRecords.Entry> entries = records();
        BuildRecord ok = entries.get(0).record();
        BuildRecord bad = entries.get(1).record();

        CliTest.Result table = CliTest.run("--root", store().toString(), "history");
        assertEquals(0, table.exitCode(), table.err());
        List<String> lines = table.out().lines().toList();
        assertEquals(3, lines.size(), table.out());
        assertTrue(lines.get(0).matches("BUILD ID +STARTED +USER +TAGS +RESULT +STATUS +DURATION"), lines.get(0));
        String user = System.getProperty("user.name");
        assertTrue(lines.get(1).matches(bad.id() + " +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ   " + user
                + " +<none> +- +exit 1 +\\d+\\.\\ds"), lines.get(1));
        assertTrue(lines.get(2).matches(ok.id() + " +\\S+Z   " + user + " +app:1 +" + ok.outcome().manifest().hex().substring(0, 12)
                + "   ok +\\d+\\.\\ds"), lines.get(2));
        // The columns line up: each cell starts where its header does.
        int status = lines.get(0).indexOf("STATUS");
        assertEquals("exit 1", lines.get(1).substring(status, status + 6));
        assertEquals("ok ", lines.get(2).substring(status, status + 3));

        CliTest.Result json = CliTest.run("--root", store().toString(), "history", "--format", "json");
        assertEquals(List.of(entries.get(1).line(), entries.get(0).line()), json.out().lines().toList());
        CliTest.Result newest = CliTest.run("--root", store().toString(), "history", "-n", "1", "--format=json");
        assertEquals(List.of(entries.get(1).line()), newest.out().lines().toList());

        CliTest.Result one = CliTest.run("--root", store().toString(), "history", ok.id().substring(0, 6));
        assertEquals(0, one.exitCode(), one.err());
        assertTrue(one.out().startsWith("ID:          " + ok.id() + "\nStarted:     " + ok.started() + "\n"), one.out());
        assertTrue(one.out().contains("\nTags:        docker.io/library/app:1\n"), one.out());
        assertTrue(one.out().contains("\nManifest:    " + ok.outcome().manifest() + "\n"), one.out());
        assertTrue(one.out().contains("\nStatus:      ok\n"), one.out());
        assertTrue(CliTest.run("--root", store().toString(), "history", bad.id()).out().contains("\nStatus:      exit 1: Dockerfile:2"));
        assertEquals(List.of(entries.get(0).line()),
                CliTest.run("--root", store().toString(), "history", "--format", "json", ok.id()).out().lines().toList());
        CliTest.Result unknown = CliTest.run("--root", store().toString(), "history", "ffffffffffff0");
        assertEquals(1, unknown.exitCode());
        assertEquals("error: no build ffffffffffff0 in the build record\n", unknown.err());
    }

    @Test
    void historyWarnsOnceAboutLinesItCannotRead() throws Exception {
        Path context = context("FROM scratch\nCOPY a.txt /\n");
        assertEquals(0, CliTest.run("--root", store().toString(), "build", "-q", context.toString()).exitCode());
        Path file = store().resolve("builds.jsonl");
        Files.writeString(file, "{\"version\":1,\"id\":\"torn\",\"sta\n{garbage\n", StandardOpenOption.APPEND);
        CliTest.Result result = CliTest.run("--root", store().toString(), "history");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("warning: skipped 2 lines of " + file.toRealPath()
                + " that could not be read (cut off by a killed build, or damaged)\n", result.err());
        assertEquals(2, result.out().lines().count(), result.out());
        assertEquals("", CliTest.run("--root", temp.resolve("empty").toString(), "history", "--format", "json").out());
    }

    @Test
    void aDryRunIsNoBuildAndIsNotRecorded() throws Exception {
        Path context = context("FROM scratch\nCOPY a.txt /\n");
        assertEquals(0, CliTest.run("--root", store().toString(), "build", "--dry-run", context.toString()).exitCode());
        assertTrue(Files.notExists(store().resolve("builds.jsonl")));
    }
}
