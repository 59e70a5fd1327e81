package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the command line in-process and checks what a user sees: output, errors, exit codes. */
class CliTest {

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {}

    /** Runs a command line in this JVM and collects what it printed. */
    /** The text of the steps reported CACHED, from plain progress. */
    static List<String> cachedSteps(String progress) {
        Map<String, String> stepText = new HashMap<>();
        List<String> cached = new ArrayList<>();
        Matcher started = Pattern.compile("(?m)^#(\\d+) \\[[^\\]]*\\] (.*)$").matcher(progress);
        while (started.find()) {
            stepText.put(started.group(1), started.group(2));
        }
        Matcher hit = Pattern.compile("(?m)^#(\\d+) CACHED$").matcher(progress);
        while (hit.find()) {
            cached.add(stepText.get(hit.group(1)));
        }
        return cached;
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** Like {@link #run}, with {@code stdin} as standard input. */
    static Result runWithStdin(byte[] stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin));
        try {
            return run(args);
        } finally {
            System.setIn(saved);
        }
    }

    private Path dockerfile(String text) throws Exception {
        Path file = dir.resolve("Dockerfile");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void versionAndHelp() {
        Result version = run("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("jbuild "), version.out());
        Result help = run("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("build") && help.out().contains("parse"), help.out());
        assertTrue(run("build", "--help").out().contains("--build-arg"));
    }

    @Test
    void parsePrintsBuildKitsTreeFormat() throws Exception {
        Path file = dockerfile("FROM alpine AS base\nCOPY --chown=1:1 a b /dst/\nENV A=1 B=\"2 3\"\n");
        Result result = run("parse", "-f", file.toString());
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("""
                (from "alpine" "AS" "base")
                (copy ["--chown=1:1"] "a" "b" "/dst/")
                (env "A" "1" "=" "B" "\\"2 3\\"" "=")
                """, result.out());
        Result json = run("parse", "--format=json", "-f", file.toString());
        assertTrue(json.out().contains("\"keyword\" : \"copy\""), json.out());
    }

    /** A directory named context hides what its own .dockerignore lists, as BuildKit reads a local named context's. */
    @Test
    void aDirectoryNamedContextHonoursItsOwnDockerignore() throws Exception {
        Path named = Files.createDirectories(dir.resolve("nc/dir"));
        Files.writeString(named.resolve(".dockerignore"), "ig.txt\n");
        Files.writeString(named.resolve("ig.txt"), "ignored\n");
        Files.writeString(named.resolve("kept.txt"), "kept\n");
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY --from=d / /d/\n");
        Path out = dir.resolve("out");
        Result result = run("--root", dir.resolve("store").toString(), "build", "--progress=plain", "-o", "type=local,dest=" + out,
                "--build-context", "d=" + named, context.toString());
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("kept\n", Files.readString(out.resolve("d/kept.txt")));
        assertFalse(Files.exists(out.resolve("d/ig.txt")), "listed in the named context's .dockerignore");

        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY --from=d ig.txt /x\n");
        Result missing = run("--root", dir.resolve("store").toString(), "build", "--progress=plain", "--build-context", "d=" + named,
                context.toString());
        assertNotEquals(0, missing.exitCode());
        assertTrue(missing.err().contains("\"/ig.txt\": not found"), missing.err());
    }

    @Test
    void aMistypedCommandIsSuggestedNotTakenForAContext() {
        Result typo = run("imags");
        assertEquals(ExitCodes.USAGE, typo.exitCode());
        assertTrue(typo.err().startsWith("jbuild: unknown command \"imags\"; did you mean images?\n"), typo.err());
        Result afterGlobalOptions = run("--root", dir.resolve("store").toString(), "pussh", "x");
        assertTrue(afterGlobalOptions.err().startsWith("jbuild: unknown command \"pussh\"; did you mean push?"),
                afterGlobalOptions.err());
        // Far from every command and no file: neither a command nor a context.
        Result word = run("frobnicate");
        assertEquals(ExitCodes.USAGE, word.exitCode());
        assertTrue(word.err().startsWith("jbuild: unknown command \"frobnicate\", and no directory of that name to build"),
                word.err());
        // A path that does not exist is a missing context.
        Result context = run("./no-such-context-dir");
        assertTrue(context.err().contains("the build context ./no-such-context-dir is not a directory"), context.err());
    }

    @Integration
    @Test
    void anImageThatCannotBePulledIsTriedOncePerBuild() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        String image = "127.0.0.1:" + port + "/nosuch:1";
        dockerfile("FROM scratch\nCOPY --from=" + image + " /x /y\n");
        Result result = run("--root", dir.resolve("store").toString(), dir.toString());
        assertEquals(1, result.exitCode(), result.err());
        // Each retry is one line, and the whole sequence (attempts 2 to 5) runs once, not once per lookup.
        for (int attempt = 2; attempt <= 5; attempt++) {
            String line = "warning: pulling manifest " + image + " failed: GET https://127.0.0.1:" + port
                    + "/v2/: connection refused; attempt " + attempt + " in ";
            assertEquals(1, result.err().split(Pattern.quote(line), -1).length - 1, line + "\n" + result.err());
        }
        assertFalse(result.err().contains("attempt 6"), result.err());
        assertFalse(result.err().contains("RetryPolicy"), "no raw log lines: " + result.err());
    }

    @Test
    void buildxIsToldToBeDropped() {
        Result result = run("buildx", "build", "-t", "app", ".");
        assertEquals(ExitCodes.USAGE, result.exitCode());
        assertTrue(result.err().startsWith("jbuild: unknown command \"buildx\": jbuild is the builder itself; drop \"buildx\""),
                result.err());
    }

    @Test
    void anUnknownFlagIsPointedAt() throws Exception {
        Path file = dockerfile("FROM alpine\nCOPY  --chmown=1:1 a /b\n");
        Result result = run("parse", "-f", file.toString());
        assertEquals(1, result.exitCode());
        assertTrue(result.err().startsWith("Dockerfile:2:7: unknown flag: chmown"), result.err());
        assertTrue(result.err().contains("    2 | COPY  --chmown=1:1 a /b\n      |       ^\n"), result.err());
    }

    @Test
    void syntaxErrorNamesTheLineWithoutAStackTrace() throws Exception {
        Path file = dockerfile("FROM alpine\n\nCOPPY . /app\n");
        Result result = run("parse", "-f", file.toString());
        assertEquals(1, result.exitCode());
        assertTrue(result.err().startsWith("Dockerfile:3:1: unknown instruction: COPPY"), result.err());
        assertTrue(result.err().contains("    3 | COPPY . /app\n      | ^\n"), "a caret under the word: " + result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace without --debug");
        Result debug = run("--debug", "parse", "-f", file.toString());
        assertTrue(debug.err().contains("\tat "), "--debug shows where it happened");
    }

    @Test
    void buildWritesATaggedImageIntoTheStoreAndTheResultFiles() throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello\n");
        dockerfile("FROM scratch\nCOPY hello.txt /\nCMD [\"/hello\"]\n");
        Path root = dir.resolve("store");
        Path iid = dir.resolve("iid");
        Path metadata = dir.resolve("metadata.json");
        Result result = run("--root", root.toString(), "-t", "hello:1", "--iidfile", iid.toString(),
                "--metadata-file", metadata.toString(), dir.toString());
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("#1 [1/1] COPY hello.txt /"), result.err());
        assertTrue(result.err().contains("naming to docker.io/library/hello:1"), result.err());
        String imageId = Files.readString(iid);
        assertTrue(imageId.matches("sha256:[0-9a-f]{64}"), imageId);
        assertTrue(Files.readString(metadata).contains("\"containerimage.config.digest\" : \"" + imageId + "\""));
        assertTrue(Files.readString(root.resolve("index.json")).contains("docker.io/library/hello:1"));

        Result quiet = run("--root", root.toString(), "-q", dir.toString());
        assertEquals(0, quiet.exitCode(), quiet.err());
        assertTrue(quiet.out().strip().matches("sha256:[0-9a-f]{64}"), quiet.out());
        assertEquals("", quiet.err());
    }

    @Test
    void storeCommandsListInspectTagSaveAndRemove() throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello\n");
        dockerfile("FROM scratch\nCOPY hello.txt /\n");
        String root = dir.resolve("store").toString();
        Result built = run("--root", root, "-t", "hello:1", "--label", "team=core", "--annotation", "org.example.note=n",
                "--iidfile", dir.resolve("iid").toString(), dir.toString());
        assertEquals(0, built.exitCode(), built.err());
        String id = Files.readString(dir.resolve("iid"));

        Result images = run("--root", root, "images");
        assertTrue(images.out().contains("hello") && images.out().contains(id.substring(7, 19)), images.out());
        Result inspect = run("--root", root, "inspect", "hello:1");
        assertEquals(0, inspect.exitCode(), inspect.err());
        assertTrue(inspect.out().contains("\"Id\" : \"" + id + "\""), inspect.out());
        assertTrue(inspect.out().contains("\"team\" : \"core\""), "--label reaches the config");
        assertTrue(inspect.out().contains("\"org.example.note\" : \"n\""), "--annotation reaches the manifest");
        assertEquals(0, run("--root", root, "inspect", id.substring(7, 19)).exitCode(), "an ID prefix finds the image");

        assertEquals(0, run("--root", root, "tag", "hello:1", "registry.example:5000/team/hello:2").exitCode());
        assertTrue(run("--root", root, "images").out().contains("registry.example:5000/team/hello"));
        Path saved = dir.resolve("saved.tar");
        assertEquals(0, run("--root", root, "save", "-o", saved.toString(), "registry.example:5000/team/hello:2").exitCode());
        assertTrue(Files.size(saved) > 0);

        // By ID, an image with two names is not removed at random (Docker's and Podman's rule), unless forced.
        Result ambiguous = run("--root", root, "rmi", id.substring(7, 19));
        assertEquals(1, ambiguous.exitCode());
        assertTrue(ambiguous.err().contains("must be forced with -f") && ambiguous.err().contains("docker.io/library/hello:1")
                && ambiguous.err().contains("registry.example:5000/team/hello:2"), ambiguous.err());
        assertEquals(0, run("--root", root, "inspect", "hello:1").exitCode(), "nothing was removed");

        Result rmi = run("--root", root, "rmi", "hello:1");
        assertEquals("Untagged: docker.io/library/hello:1\n", rmi.out());
        Result gone = run("--root", root, "inspect", "hello:1");
        assertEquals(1, gone.exitCode());
        assertTrue(gone.err().contains("no such image: hello:1"), gone.err());

        assertEquals(0, run("--root", root, "tag", "registry.example:5000/team/hello:2", "again:3").exitCode());
        Result forced = run("--root", root, "rmi", "-f", id.substring(7, 19));
        assertEquals(0, forced.exitCode(), forced.err());
        assertEquals("Untagged: docker.io/library/again:3\nUntagged: registry.example:5000/team/hello:2\n", forced.out());
    }

    @Test
    void buildErrorsNameTheInstruction() throws Exception {
        dockerfile("FROM scratch\nCOPY missing.txt /\n");
        Result result = run("--root", dir.resolve("store").toString(), dir.toString());
        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("Dockerfile:2: COPY failed: \"/missing.txt\": not found"), result.err());
        assertTrue(result.err().contains("    2 | COPY missing.txt /"), result.err());
    }

    @Integration
    @Test
    void buildIsTheDefaultCommandAndPrintsThePrunedPlan() throws Exception {
        Path file = dockerfile("""
                ARG V=1
                FROM alpine:$V AS deps
                FROM busybox AS unused
                FROM deps AS test
                ENV A=1
                RUN echo test
                CMD ["test"]
                """);
        Result result = run("--dry-run", "-f", file.toString(), "--target", "test", "--build-arg", "V=3", dir.toString());
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("stage 0 \"deps\": FROM image alpine:3"), result.out());
        assertFalse(result.out().contains("unused"), result.out());
        assertTrue(result.out().contains("[test 1/1] RUN echo test  (Dockerfile:6)"), result.out());
        assertTrue(result.out().contains("\n  ENV A=1  (Dockerfile:5)\n"), "metadata instructions are not numbered steps: " + result.out());
    }

    @Test
    void dockerfileDefaultsToTheContextAndMayComeFromStdin() throws Exception {
        dockerfile("FROM scratch AS from-context\n");
        assertTrue(run("build", "--dry-run", dir.toString()).out().contains("from-context"));
        Result stdin = runWithStdin("FROM scratch AS from-stdin\n".getBytes(StandardCharsets.UTF_8),
                "build", "--dry-run", "-f", "-", dir.toString());
        assertTrue(stdin.out().contains("from-stdin"), stdin.out() + stdin.err());
    }

    @Test
    void contextMayBeATarOnStdin() throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            addFile(out, "./sub/Dockerfile.app", "FROM scratch AS from-tar\nCOPY data.txt /data.txt\n");
            addFile(out, "data.txt", "from the archive\n");
        }
        Path root = dir.resolve("store");
        Result result = runWithStdin(tar.toByteArray(), "--root", root.toString(), "build", "-t", "from-tar",
                "-o", "type=tar,dest=" + dir.resolve("rootfs.tar"), "-f", "sub/Dockerfile.app", "-");
        assertEquals(0, result.exitCode(), result.err());
        try (var in = new TarArchiveInputStream(
                Files.newInputStream(dir.resolve("rootfs.tar")))) {
            assertEquals("data.txt", in.getNextEntry().getName());
            assertEquals("from the archive\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        try (var tmp = Files.list(root.resolve("tmp"))) {
            assertEquals(0, tmp.count(), "the extracted context is removed");
        }
        Result both = runWithStdin(new byte[0], "build", "-f", "-", "-");
        assertEquals(2, both.exitCode());
    }

    private static void addFile(TarArchiveOutputStream out, String name, String text) throws Exception {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        out.putArchiveEntry(entry);
        out.write(content);
        out.closeArchiveEntry();
    }

    @Test
    void unimplementedFlagsAreRejectedNotIgnored() throws Exception {
        dockerfile("FROM scratch\n");
        Result result = run("build", "--cache-to", "type=gha", dir.toString());
        assertEquals(2, result.exitCode());
        assertTrue(result.err().contains("--cache-to type=gha: not implemented"), result.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        Result unknown = run("build", "--no-such-flag", ".");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("--no-such-flag"), unknown.err());
        assertEquals(2, run("build").exitCode(), "PATH is required, as with docker build");
        assertEquals(2, run("build", "--progress=fancy", ".").exitCode());
    }

    @Test
    void deeplyNestedSubstitutionsAreASyntaxErrorNotACrash() throws Exception {
        Path file = dockerfile("FROM alpine\nENV X=" + "${X:-".repeat(5_000) + "x" + "}".repeat(5_000) + "\n");
        Result result = run("build", "--dry-run", "-f", file.toString(), dir.toString());
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().startsWith("Dockerfile:2:507: failed to process"), "at the $ that is one level too deep: " + result.err().substring(0, 60));
        assertTrue(result.err().contains("syntax error: substitutions nested more than 100 levels deep"));
        assertFalse(result.err().contains("StackOverflowError"));
    }

    @Test
    void secretLookingArgNamesAreWarnedAboutOnceWithoutTheirValues() throws Exception {
        Path file = dockerfile("FROM alpine\nARG NPM_TOKEN\nENV DB_PASSWORD=$NPM_TOKEN\nENV PUBLIC_KEY=k\n");
        Result result = run("build", "--dry-run", "-f", file.toString(), "--platform", "linux/amd64,linux/arm64",
                "--build-arg", "NPM_TOKEN=npm_s3cr3t", "--build-arg", "AWS_SECRET_ACCESS_KEY=aws_s3cr3t", dir.toString());
        assertEquals(0, result.exitCode(), result.err());
        String err = result.err();
        // Once per name, even with two platforms planned.
        assertEquals(1, count(err, "(ARG \"NPM_TOKEN\")"), err);
        assertEquals(1, count(err, "(ENV \"DB_PASSWORD\")"), err);
        assertEquals(1, count(err, "--build-arg AWS_SECRET_ACCESS_KEY: SecretsUsedInArgOrEnv"), err);
        assertTrue(err.contains("warning: Dockerfile:2: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for"
                + " sensitive data (ARG \"NPM_TOKEN\") (https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/)"),
                err);
        assertTrue(err.contains("--build-arg AWS_SECRET_ACCESS_KEY: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for"
                + " sensitive data (ARG \"AWS_SECRET_ACCESS_KEY\"); pass secrets with --secret"), err);
        assertFalse(err.contains("PUBLIC_KEY"), err);
        assertFalse(err.contains("s3cr3t"), err);
        assertFalse(result.out().contains("s3cr3t"), result.out());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void planErrorsNameTheLine() throws Exception {
        Path file = dockerfile("FROM alpine AS a\nCOPY --from=a / /\n");
        Result result = run("-f", file.toString(), dir.toString());
        assertEquals(1, result.exitCode());
        assertTrue(result.err().startsWith("Dockerfile:2:6: circular dependency detected on stage: a"), result.err());
        dockerfile("FROM alpine AS a\n");
        Result target = run("-f", file.toString(), "--target", "nope", dir.toString());
        assertEquals(1, target.exitCode());
        assertTrue(target.err().contains("target stage \"nope\" could not be found"), target.err());
    }

    @Test
    void missingDockerfileIsAClearError() {
        Result result = run("build", dir.toString());
        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("cannot read the Dockerfile"), result.err());
    }

    @Test
    void completionScriptForBash() {
        Result result = run("completion", "bash");
        assertEquals(0, result.exitCode());
        assertTrue(result.out().contains("complete -F"), result.out().substring(0, 200));
        assertEquals(2, run("completion", "fish").exitCode());
    }
}
