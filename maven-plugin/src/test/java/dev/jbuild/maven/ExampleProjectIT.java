package dev.jbuild.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TempFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * examples/maven-plugin built by a real {@code mvn -o} with the plugin just packaged (failsafe runs after
 * maven-install-plugin put it into the local repository), on a busybox base in a loopback registry that wants a
 * password: the only credentials are a {@code <server>} of the settings file. RUN runs as this JVM's user (root in
 * CI: jbuild then isolates each RUN in namespaces without a user namespace, docs/rootless.md).
 */
@Integration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleProjectIT {

    /** A step's first line ({@code #5 [2/3] COPY ...}, {@code #7 [build 1/2] RUN ...}), in Maven's log or the CLI's. */
    static final Pattern STEP = Pattern.compile("^(?:\\[INFO\\] )?(#\\d+ \\[(?:\\S+ )?\\d+/\\d+\\] .*)$",
            Pattern.MULTILINE);
    static final Pattern PUSHED = Pattern.compile("^\\[INFO\\] pushed (\\S+)@(sha256:[0-9a-f]{64})$", Pattern.MULTILINE);

    LocalRegistry registry;
    Path work;
    Path project;
    Path settings;
    Path store;
    String base;

    @BeforeAll
    void setUp() throws IOException {
        ExternalTool.require("mvn");
        ExternalTool.require("skopeo");
        registry = LocalRegistry.startWithBasicAuth();
        work = Files.createTempDirectory("jbuild-maven-plugin-it-");
        base = BusyboxImage.write(work.resolve("busybox"), "1").pushTo(registry);
        project = copy(Path.of(System.getProperty("jbuild.example.dir")), work.resolve("project"));
        store = work.resolve("store");
        LocalRegistry.Credentials credentials = registry.requireCredentials();
        settings = writeSettings(work.resolve("settings.xml"), "<server><id>" + registry.host() + "</id><username>"
                + credentials.username() + "</username><password>" + credentials.password() + "</password></server>");
        Files.writeString(project.resolve("Dockerfile.fail"), """
                ARG BASE_IMAGE
                FROM ${BASE_IMAGE}
                RUN echo failing on purpose && exit 7
                """);
    }

    @AfterAll
    void tearDown() {
        if (registry != null) {
            registry.close();
        }
        if (work != null) {
            TempFiles.deleteRecursively(work);
        }
    }

    @Test
    void packageBuildsThePushGoalPushesWithTheSettingsCredentialsAndTheStepLinesAreTheClis() throws Exception {
        String tag = registry.reference("hello-app", "1.0.0");
        ExternalTool.Result result = mvn(settings, "package", "jbuild:push", "-Djbuild.tags=" + tag).assertSuccess();
        String output = result.stdout();
        assertTrue(output.contains("jbuild: built " + tag), output);

        // The image in the registry: busybox, the jar, the RUN's files about the jar.
        Matcher pushed = PUSHED.matcher(output);
        assertTrue(pushed.find(), output);
        assertEquals(registry.host() + "/hello-app", pushed.group(1));
        List<String> inspect = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
        inspect.addAll(registry.skopeoOptions(""));
        inspect.add("docker://" + tag);
        byte[] served = ExternalTool.command(inspect).runSuccessfully().stdout().getBytes(StandardCharsets.UTF_8);
        assertEquals(pushed.group(2), "sha256:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(served)), "the pushed digest is the registry's");
        // The host's image (of an index with attestations, if it is one), as skopeo pulls it.
        Path layout = work.resolve("pulled");
        List<String> skopeo = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet"));
        skopeo.addAll(registry.skopeoOptions("src-"));
        skopeo.addAll(List.of("docker://" + tag, "oci:" + layout + ":pulled"));
        ExternalTool.command(skopeo).runSuccessfully();
        ObjectMapper json = new ObjectMapper();
        String manifestDigest = json.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0)
                .get("digest").asText();
        JsonNode manifest = json.readTree(blob(layout, manifestDigest).toFile());
        assertEquals(3, manifest.get("layers").size(), manifest.toString());
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        for (JsonNode layer : manifest.get("layers")) {
            ExternalTool.command("tar", "-xzf", blob(layout, layer.get("digest").asText()).toString(), "-C",
                    rootfs.toString()).runSuccessfully();
        }
        byte[] jar = Files.readAllBytes(project.resolve("target/hello-app-1.0.0.jar"));
        assertArrayEquals(jar, Files.readAllBytes(rootfs.resolve("app/app.jar")));
        assertEquals(String.valueOf(jar.length), Files.readString(rootfs.resolve("app/size")).strip());
        assertTrue(Files.readString(rootfs.resolve("app/listing")).contains("/app/app.jar"));

        // The build goal logged the step lines `jbuild build --progress=plain` prints for the same build; the push
        // goal's build (no pull step, so numbered from #1) the same steps.
        List<String> cli = steps(cli(tag).stderr());
        List<String> plugin = steps(output);
        assertEquals(2, cli.size(), "COPY and RUN: " + cli);
        assertEquals(4, plugin.size(), output);
        assertEquals(cli, plugin.subList(0, 2), output);
        assertEquals(unnumbered(cli), unnumbered(plugin.subList(2, 4)), output);
    }

    @Test
    void withoutTheSettingsServerTheRegistryRefusesTheBuild() throws IOException {
        Path bare = writeSettings(work.resolve("settings-without-server.xml"), "");
        ExternalTool.Result result = mvn(bare, "package", "-Djbuild.store=" + work.resolve("store-unauthorised"));
        assertNotEquals(0, result.exitCode(), result.stdout());
        assertTrue(result.stdout().contains("BUILD FAILURE"), result.stdout());
        assertTrue(result.stdout().contains(registry.host() + " requires authentication"), result.stdout());
    }

    @Test
    void aFailingRunFailsTheMavenBuildNamingItsLine() {
        ExternalTool.Result result = mvn(settings, "package", "-Djbuild.dockerfile=Dockerfile.fail");
        assertNotEquals(0, result.exitCode(), result.stdout());
        String output = result.stdout();
        assertTrue(output.contains("BUILD FAILURE"), output);
        Matcher failed = Pattern.compile("\\[ERROR\\] Failed to execute goal dev\\.jbuild:jbuild-maven-plugin:[^\\n]*:build"
                + "[^\\n]*: Dockerfile\\.fail:3: RUN failed: [^\\n]*exit code: 7").matcher(output);
        assertTrue(failed.find(), output);
    }

    @Test
    void theCheckGoalPassesTheExampleAndFailsOnAFinding() throws IOException {
        ExternalTool.Result clean = mvn(settings, "jbuild:check").assertSuccess();
        assertTrue(clean.stdout().contains("jbuild: the Dockerfile passes every check"), clean.stdout());
        Files.writeString(project.resolve("Dockerfile.lint"), """
                ARG BASE_IMAGE=busybox
                FROM ${BASE_IMAGE} as app
                RUN true
                """);
        ExternalTool.Result finding = mvn(settings, "jbuild:check", "-Djbuild.dockerfile=Dockerfile.lint");
        assertNotEquals(0, finding.exitCode(), finding.stdout());
        assertTrue(finding.stdout().contains("FromAsCasing"), finding.stdout());
        assertTrue(finding.stdout().contains("1 build check finding(s)"), finding.stdout());
    }

    @Test
    void aConfigurationJbuildRefusesFailsWithTheClisMessage() {
        String platform = "bogus/x/y/z";
        ExternalTool.Result cli = ExternalTool.command(java(), "-jar", jbuildJar().toString(), "--root",
                work.resolve("store-cli-refused").toString(), "build", "--platform", platform, project.toString()).run();
        assertEquals(2, cli.exitCode(), cli.describe());
        String message = cli.stderr().lines().findFirst().orElseThrow().replaceFirst("^jbuild: ", "");
        ExternalTool.Result result = mvn(settings, "jbuild:build", "-Djbuild.platforms=" + platform);
        assertNotEquals(0, result.exitCode(), result.stdout());
        assertTrue(result.stdout().contains("jbuild-maven-plugin:" + System.getProperty("jbuild.plugin.version") + ":build (default-cli) on project hello-app: "
                + message), message + "\n" + result.stdout());
    }

    @Test
    void skipSkipsTheBuild() {
        ExternalTool.Result result = mvn(settings, "package", "-Djbuild.skip=true", "-Djbuild.dockerfile=Dockerfile.fail")
                .assertSuccess();
        assertTrue(result.stdout().contains("jbuild: skipped"), result.stdout());
        assertEquals(List.of(), steps(result.stdout()));
    }

    /** {@code mvn -o -B} on the example with these settings, this test's base image and store. */
    private ExternalTool.Result mvn(Path settingsFile, String... arguments) {
        List<String> command = new ArrayList<>(List.of("mvn", "-o", "-B", "-s", settingsFile.toString(),
                "-Dbase.image=" + base, "-Djbuild.store=" + store));
        command.addAll(List.of(arguments));
        return ExternalTool.command(command).directory(project).timeout(Duration.ofMinutes(5)).run();
    }

    /** The same build by the CLI (target/jbuild.jar of the root project), on a store of its own. */
    private ExternalTool.Result cli(String tag) {
        Path config = work.resolve("docker-config");
        registry.writeDockerConfig(config);
        return ExternalTool.command(java(), "-jar", jbuildJar().toString(), "--root", work.resolve("store-cli").toString(), "--config", config.toString(),
                "build", "--progress=plain", "--build-arg", "BASE_IMAGE=" + base,
                "--build-arg", "JAR_FILE=target/hello-app-1.0.0.jar", "-t", tag, project.toString())
                .timeout(Duration.ofMinutes(5)).runSuccessfully();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The root project's shaded jar, what ./jbuild runs. */
    private static Path jbuildJar() {
        return Path.of(System.getProperty("jbuild.example.dir"), "..", "..", "target", "jbuild.jar").normalize();
    }

    private static List<String> unnumbered(List<String> steps) {
        return steps.stream().map(step -> step.replaceFirst("^#\\d+ ", "")).toList();
    }

    private static List<String> steps(String output) {
        List<String> steps = new ArrayList<>();
        Matcher matcher = STEP.matcher(output);
        while (matcher.find()) {
            steps.add(matcher.group(1).strip());
        }
        return steps;
    }

    private Path writeSettings(Path file, String servers) throws IOException {
        return Files.writeString(file, "<settings>\n  <localRepository>" + System.getProperty("jbuild.local.repository")
                + "</localRepository>\n  <offline>true</offline>\n  <servers>" + servers + "</servers>\n</settings>\n");
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    /** The example's sources, without a target/ a developer may have built there. */
    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = from.relativize(file);
                if (relative.startsWith("target")) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return to;
    }
}
