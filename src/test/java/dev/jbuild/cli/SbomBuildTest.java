package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.DebootstrapRootfs;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.TestResources;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SBOM attestations of whole builds: a Debian base made by debootstrap with Java, npm and Python packages
 * placed on it, and BuildKit's extra scans of build stages and the context.
 */
@Integration
class SbomBuildTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void listsTheDebianPackagesDpkgListsAndTheLanguagePackagesPlacedOnTheBase() throws Exception {
        Path rootfs = DebootstrapRootfs.directory();
        Path context = languagePackages(Files.createDirectories(temp.resolve("context")));
        Files.writeString(context.resolve("Dockerfile"), TestResources.text(SbomBuildTest.class, "debian"));
        Files.writeString(context.resolve(".dockerignore"), "ignored.jar\n");
        jar(context.resolve("ignored.jar"), "org.example", "ignored", "9.9");
        String store = temp.resolve("store").toString();
        CliTest.Result built = CliTest.run("--root", store, "-t", "sbom/debian:1", "--sbom=true",
                "--build-context", "rootfs=" + rootfs, context.toString());
        assertEquals(0, built.exitCode(), built.err());

        CliTest.Result inspect = CliTest.run("--root", store, "inspect", "--sbom", "sbom/debian:1");
        assertEquals(0, inspect.exitCode(), inspect.err());
        JsonNode documents = JSON.readTree(inspect.out());
        assertTrue(documents.isArray(), "the image, then the extra scans: " + inspect.out().substring(0, 200));
        List<String> names = new ArrayList<>();
        documents.forEach(d -> names.add(d.get("name").asText()));
        // The context is scanned (the target declares BUILDKIT_SBOM_SCAN_CONTEXT), the stage that declares
        // BUILDKIT_SBOM_SCAN_STAGE is, the base stage that does not is not, and the unused stage never runs.
        assertEquals(List.of("docker.io/sbom/debian:1", "sbom-context", "sbom-tools"), names);

        JsonNode image = documents.get(0);
        Map<String, Set<String>> purls = purlsByType(image);
        Set<String> expected = new HashSet<>(ExternalTool.command("dpkg-query", "--admindir=" + rootfs.resolve("var/lib/dpkg"),
                "-W", "-f", "${Package} ${Version}\\n").runSuccessfully().stdout().lines().toList());
        assertEquals(expected, debPackages(image));
        assertTrue(purls.get("deb").stream().anyMatch(p -> p.startsWith("pkg:deb/debian/libc6@") && p.contains("distro=debian-12")),
                purls.get("deb").toString());
        assertEquals(Set.of("pkg:maven/org.example/demo@1.2.3"), purls.get("maven"));
        assertEquals(Set.of("pkg:npm/left-pad@1.3.0", "pkg:npm/%40scope/util@0.4.0"), purls.get("npm"));
        assertEquals(Set.of("pkg:pypi/requests@2.31.0"), purls.get("pypi"));

        Map<String, Set<String>> context_ = purlsByType(documents.get(1));
        assertEquals(Set.of("pkg:maven/org.example/demo@1.2.3"), context_.get("maven"), ".dockerignore applies to the context scan");
        assertEquals(Set.of("pkg:npm/left-pad@1.3.0", "pkg:npm/%40scope/util@0.4.0"), context_.get("npm"));
        assertFalse(context_.containsKey("deb"));
        Map<String, Set<String>> tools = purlsByType(documents.get(2));
        assertEquals(Set.of("pkg:pypi/requests@2.31.0"), tools.get("pypi"));
        assertEquals(expected.size(), tools.get("deb").size(), "the stage is scanned whole, its base included");
    }

    @Test
    void scanStageTrueScansEveryStageTheImageWasBuiltFrom() throws Exception {
        Path context = languagePackages(Files.createDirectories(temp.resolve("context")));
        Files.writeString(context.resolve("Dockerfile"), TestResources.text(SbomBuildTest.class, "stages"));
        String store = temp.resolve("store").toString();
        CliTest.Result plain = CliTest.run("--root", store, "-t", "sbom/stages:1", "--sbom=true", context.toString());
        assertEquals(0, plain.exitCode(), plain.err());
        JsonNode only = JSON.readTree(CliTest.run("--root", store, "inspect", "--sbom", "sbom/stages:1").out());
        assertEquals("docker.io/sbom/stages:1", only.get("name").asText(), "without scan-stage only the image is scanned");

        CliTest.Result stages = CliTest.run("--root", store, "-t", "sbom/stages:2", "--attest", "type=sbom,scan-stage=true",
                context.toString());
        assertEquals(0, stages.exitCode(), stages.err());
        JsonNode documents = JSON.readTree(CliTest.run("--root", store, "inspect", "--sbom", "sbom/stages:2").out());
        Map<String, Map<String, Set<String>>> byName = new LinkedHashMap<>();
        documents.forEach(d -> byName.put(d.get("name").asText(), purlsByType(d)));
        assertEquals(List.of("docker.io/sbom/stages:2", "sbom-first", "sbom-second"), List.copyOf(byName.keySet()));
        assertEquals(Set.of("npm"), byName.get("sbom-first").keySet());
        assertEquals(Set.of("maven"), byName.get("sbom-second").keySet());
        assertEquals(Set.of("npm", "maven"), byName.get("docker.io/sbom/stages:2").keySet());
    }

    /** A jar with Maven metadata, two npm packages and a Python distribution, in {@code dir}. */
    private static Path languagePackages(Path dir) throws Exception {
        jar(dir.resolve("app.jar"), "org.example", "demo", "1.2.3");
        Path leftPad = Files.createDirectories(dir.resolve("node_modules/left-pad"));
        Files.writeString(leftPad.resolve("package.json"), "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"license\":\"WTFPL\"}");
        Path util = Files.createDirectories(dir.resolve("node_modules/@scope/util"));
        Files.writeString(util.resolve("package.json"), "{\"name\":\"@scope/util\",\"version\":\"0.4.0\"}");
        Path python = Files.createDirectories(dir.resolve("requests-2.31.0.dist-info"));
        Files.writeString(python.resolve("METADATA"), "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache-2.0\n");
        return dir;
    }

    private static void jar(Path file, String group, String artifact, String version) throws Exception {
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("META-INF/maven/" + group + "/" + artifact + "/pom.properties"));
            jar.write(("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }

    /** The purls of an SPDX document's packages by purl type ({@code deb}, {@code maven}, ...). */
    private static Map<String, Set<String>> purlsByType(JsonNode spdx) {
        Map<String, Set<String>> purls = new LinkedHashMap<>();
        spdx.get("packages").forEach(p -> {
            for (JsonNode ref : p.path("externalRefs")) {
                String locator = ref.path("referenceLocator").asText();
                if (locator.startsWith("pkg:") && !locator.startsWith("pkg:docker/") && !locator.startsWith("pkg:oci/")) {
                    String type = locator.substring(4, locator.indexOf('/'));
                    purls.computeIfAbsent(type, t -> new HashSet<>()).add(locator);
                }
            }
        });
        return purls;
    }

    private static Set<String> debPackages(JsonNode spdx) {
        Set<String> listed = new HashSet<>();
        spdx.get("packages").forEach(p -> {
            for (JsonNode ref : p.path("externalRefs")) {
                if (ref.path("referenceLocator").asText().startsWith("pkg:deb/")) {
                    listed.add(p.get("name").asText() + " " + p.get("versionInfo").asText());
                }
            }
        });
        return listed;
    }
}
