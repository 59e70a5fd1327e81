package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Digest;
import dev.jbuild.testing.DownloadServer;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TestResources;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attestations in BuildKit's layout (its docs/attestations/attestation-storage.md and slsa-definitions.md),
 * pushed to a real registry and read back field by field.
 */
@Integration
class AttestationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void multiPlatformProvenanceInBuildKitsLayout() throws Exception {
        byte[] download = "downloaded\n".getBytes(StandardCharsets.UTF_8);
        try (DownloadServer server = DownloadServer.serving(download); LocalRegistry registry = LocalRegistry.startPlain()) {
            String store = temp.resolve("store").toString();
            Path baseContext = Files.createDirectories(temp.resolve("base"));
            Files.writeString(baseContext.resolve("Dockerfile"), "FROM scratch\nCOPY base.txt /\n");
            Files.writeString(baseContext.resolve("base.txt"), "base\n");
            String base = registry.reference("att/base", "1");
            CliTest.Result baseBuild = CliTest.run("--root", temp.resolve("base-store").toString(), "--platform",
                    "linux/amd64,linux/arm64", "-t", base, "--push", "--provenance=false", baseContext.toString());
            assertEquals(0, baseBuild.exitCode(), baseBuild.err());
            JsonNode baseIndex = rawManifest(registry, base);
            assertEquals(2, baseIndex.get("manifests").size(), "--provenance=false pushes no attestation");

            Path context = Files.createDirectories(temp.resolve("context"));
            Files.writeString(context.resolve("amd64.txt"), "amd64\n");
            Files.writeString(context.resolve("arm64.txt"), "arm64\n");
            String url = server.url("file");
            String dockerfile = TestResources.text(AttestationTest.class, "provenance").replace("BASE", base).replace("URL", url);
            Files.writeString(context.resolve("Dockerfile"), dockerfile);
            String target = registry.reference("att/app", "1");
            Path secret = Files.writeString(temp.resolve("token"), "tok-3f9a61c2-never-in-an-attestation");
            CliTest.Result result = CliTest.run("--root", store, "--platform", "linux/amd64,linux/arm64", "-t", target,
                    "--push", "--provenance=mode=max", "--sbom=true", "--build-arg", "GREETING=bonjour", "--label", "team=core",
                    "--secret", "id=token,src=" + secret, context.toString());
            assertEquals(0, result.exitCode(), result.err());

            JsonNode index = rawManifest(registry, target);
            assertEquals("application/vnd.oci.image.index.v1+json", index.get("mediaType").asText());
            JsonNode manifests = index.get("manifests");
            assertEquals(4, manifests.size(), index.toString());
            Set<String> invocationIds = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                JsonNode image = manifests.get(i);
                String arch = i == 0 ? "amd64" : "arm64";
                assertEquals(arch, image.at("/platform/architecture").asText());
                JsonNode entry = manifests.get(i + 2);
                assertEquals("application/vnd.oci.image.manifest.v1+json", entry.get("mediaType").asText());
                assertEquals("unknown", entry.at("/platform/os").asText());
                assertEquals("unknown", entry.at("/platform/architecture").asText());
                assertEquals(Map.of("vnd.docker.reference.type", "attestation-manifest",
                        "vnd.docker.reference.digest", image.get("digest").asText()),
                        JSON.convertValue(entry.get("annotations"), Map.class));

                JsonNode attestation = rawManifest(registry, registry.host() + "/att/app@" + entry.get("digest").asText());
                assertEquals(2, attestation.get("schemaVersion").asInt());
                assertEquals("application/vnd.oci.image.manifest.v1+json", attestation.get("mediaType").asText());
                assertEquals("application/vnd.docker.attestation.manifest.v1+json", attestation.get("artifactType").asText());
                assertEquals("application/vnd.oci.empty.v1+json", attestation.at("/config/mediaType").asText());
                assertEquals(Digest.of("{}".getBytes(StandardCharsets.UTF_8)).toString(), attestation.at("/config/digest").asText());
                assertEquals(image.get("digest").asText(), attestation.at("/subject/digest").asText());
                assertEquals(2, attestation.get("layers").size(), "the SBOM, then the provenance");
                JsonNode sbomLayer = attestation.get("layers").get(0);
                assertEquals("application/vnd.in-toto+json", sbomLayer.get("mediaType").asText());
                assertEquals("https://spdx.dev/Document", sbomLayer.at("/annotations/in-toto.io~1predicate-type").asText());
                byte[] sbomBytes = blob(registry, "att/app", sbomLayer.get("digest").asText());
                assertFalse(new String(sbomBytes, StandardCharsets.UTF_8).contains("tok-3f9a61c2"), "no secret value");
                JsonNode sbom = JSON.readTree(sbomBytes);
                assertEquals("https://in-toto.io/Statement/v0.1", sbom.get("_type").asText());
                assertEquals("https://spdx.dev/Document", sbom.get("predicateType").asText());
                assertEquals(image.get("digest").asText(), "sha256:" + sbom.at("/subject/0/digest/sha256").asText());
                assertEquals("SPDX-2.3", sbom.at("/predicate/spdxVersion").asText());
                JsonNode layer = attestation.get("layers").get(1);
                assertEquals("application/vnd.in-toto+json", layer.get("mediaType").asText());
                assertEquals("https://slsa.dev/provenance/v0.2", layer.at("/annotations/in-toto.io~1predicate-type").asText());

                byte[] statementBytes = blob(registry, "att/app", layer.get("digest").asText());
                assertFalse(new String(statementBytes, StandardCharsets.UTF_8).contains("tok-3f9a61c2"), "no secret value");
                JsonNode statement = JSON.readTree(statementBytes);
                assertEquals("https://in-toto.io/Statement/v0.1", statement.get("_type").asText());
                assertEquals("https://slsa.dev/provenance/v0.2", statement.get("predicateType").asText());
                assertEquals(1, statement.get("subject").size());
                assertEquals("pkg:docker/" + registry.host().replace(":", "%3A") + "/att/app@1?platform=linux%2F"
                        + arch, statement.at("/subject/0/name").asText());
                assertEquals(image.get("digest").asText(), "sha256:" + statement.at("/subject/0/digest/sha256").asText());

                JsonNode predicate = statement.get("predicate");
                assertEquals("https://mobyproject.org/buildkit@v1", predicate.get("buildType").asText());
                assertEquals("", predicate.at("/builder/id").asText());
                Map<String, String> materials = new TreeMap<>();
                predicate.get("materials").forEach(m -> materials.put(m.get("uri").asText(), m.at("/digest/sha256").asText()));
                // An image is pinned by the digest its name resolved to, the index here, as BuildKit records it.
                assertEquals(Map.of(
                        "pkg:docker/" + registry.host().replace(":", "%3A") + "/att/base@1?platform=linux%2F" + arch,
                        Digest.of(rawBytes(registry, base)).hex(),
                        url, Digest.of(download).hex()), materials);
                assertEquals("Dockerfile", predicate.at("/invocation/configSource/entryPoint").asText());
                JsonNode parameters = predicate.at("/invocation/parameters");
                assertEquals("dockerfile.v0", parameters.get("frontend").asText());
                assertEquals("bonjour", parameters.at("/args/build-arg:GREETING").asText(), "mode=max keeps build-arg values");
                assertEquals("core", parameters.at("/args/label:team").asText());
                assertEquals(List.of("context", "dockerfile"), names(parameters.get("locals")));
                assertFalse(predicate.at("/invocation/environment/platform").asText().isEmpty());

                JsonNode metadata = predicate.get("metadata");
                invocationIds.add(metadata.get("buildInvocationID").asText());
                assertTrue(metadata.get("buildStartedOn").asText().compareTo(metadata.get("buildFinishedOn").asText()) <= 0);
                assertFalse(metadata.at("/completeness/materials").asBoolean());
                JsonNode source = metadata.at("/https:~1~1mobyproject.org~1buildkit@v1#metadata/source/infos/0");
                assertEquals(dockerfile, new String(Base64.getDecoder().decode(source.get("data").asText()), StandardCharsets.UTF_8));
                JsonNode invoker = metadata.get("https://jbuild.dev/provenance@v1#invoker");
                assertNotNull(invoker, metadata.toString());
                assertEquals(System.getProperty("user.name"), invoker.get("user").asText());
                assertTrue(invoker.has("uid") && invoker.get("uid").asLong() >= 0, invoker.toString());
                assertFalse(invoker.get("host").asText().isEmpty());

                // mode=max: every step with the layer it made; the image's own layers are among them.
                JsonNode imageManifest = rawManifest(registry, registry.host() + "/att/app@" + image.get("digest").asText());
                Set<String> stepLayers = new HashSet<>();
                predicate.at("/buildConfig/steps").forEach(s -> {
                    if (s.has("layer")) {
                        stepLayers.add(s.get("layer").asText());
                    }
                });
                JsonNode layers = imageManifest.get("layers");
                for (int l = 1; l < layers.size(); l++) {
                    assertTrue(stepLayers.contains(layers.get(l).get("digest").asText()), predicate.at("/buildConfig").toString());
                }
            }
            assertEquals(1, invocationIds.size(), "one invocation id for the platforms of one build");

            // Pulled back into another store: each platform's attestations come with it.
            String pulledStore = temp.resolve("pulled").toString();
            for (String platform : List.of("linux/amd64", "linux/arm64")) {
                CliTest.Result pull = CliTest.run("--root", pulledStore, "pull", "--platform", platform, target);
                assertEquals(0, pull.exitCode(), pull.err());
                CliTest.Result spdx = CliTest.run("--root", pulledStore, "inspect", "--sbom", "--platform", platform, target);
                assertEquals(0, spdx.exitCode(), spdx.err());
                assertEquals("SPDX-2.3", JSON.readTree(spdx.out()).get("spdxVersion").asText());
                CliTest.Result provenance = CliTest.run("--root", pulledStore, "inspect", "--provenance", "--platform", platform, target);
                assertEquals(0, provenance.exitCode(), provenance.err());
                assertTrue(JSON.readTree(provenance.out()).at("/invocation/environment/platform").isTextual(), provenance.out());
            }
        }
    }

    /**
     * A base named by the digest of a multi-platform index, and one named by a tag: each material's digest is what the
     * name resolved to (the index), as BuildKit records it, so it agrees with the purl's {@code digest=}.
     */
    @Test
    void imageMaterialsAreTheDigestTheNameResolvedToAlsoForAnIndex() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            Path baseContext = Files.createDirectories(temp.resolve("base"));
            Files.writeString(baseContext.resolve("Dockerfile"), "FROM scratch\nCOPY base.txt /\n");
            Files.writeString(baseContext.resolve("base.txt"), "base\n");
            String base = registry.reference("att/mp", "1");
            CliTest.Result baseBuild = CliTest.run("--root", temp.resolve("base-store").toString(), "--platform",
                    "linux/amd64,linux/arm64", "-t", base, "--push", "--provenance=false", baseContext.toString());
            assertEquals(0, baseBuild.exitCode(), baseBuild.err());
            Digest index = Digest.of(rawBytes(registry, base));

            Path context = Files.createDirectories(temp.resolve("context"));
            Files.writeString(context.resolve("Dockerfile"), "FROM " + registry.host() + "/att/mp@" + index
                    + "\nCOPY --from=" + base + " /base.txt /copied.txt\n");
            Path out = temp.resolve("out");
            CliTest.Result result = CliTest.run("--root", temp.resolve("store").toString(), "--platform", "linux/arm64",
                    "-o", "type=local,dest=" + out, "--provenance=true", context.toString());
            assertEquals(0, result.exitCode(), result.err());
            JsonNode materials = JSON.readTree(out.resolve("provenance.json").toFile()).at("/predicate/materials");
            assertEquals(2, materials.size(), materials.toString());
            for (JsonNode material : materials) {
                assertEquals(index.hex(), material.at("/digest/sha256").asText(), materials.toString());
            }
            assertTrue(materials.toString().contains(index.hex() + "&platform=linux%2Farm64"), materials.toString());
        }
    }

    @Test
    void pushingAddsMinimalProvenanceByDefaultWithoutBuildArgValues() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            Path context = Files.createDirectories(temp.resolve("context"));
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nARG TOKEN\nCOPY a.txt /\n");
            Files.writeString(context.resolve("a.txt"), "a\n");
            String target = registry.reference("att/min", "1");
            CliTest.Result result = CliTest.run("--root", temp.resolve("store").toString(), "-t", target, "--push",
                    "--build-arg", "TOKEN=s3cr3t-value", "--secret", "id=apikey,env=HOME", context.toString());
            assertEquals(0, result.exitCode(), result.err());
            JsonNode index = rawManifest(registry, target);
            assertEquals(2, index.get("manifests").size(), index.toString());
            JsonNode entry = index.get("manifests").get(1);
            assertEquals("attestation-manifest", entry.at("/annotations/vnd.docker.reference.type").asText());
            JsonNode attestation = rawManifest(registry, registry.host() + "/att/min@" + entry.get("digest").asText());
            byte[] statement = blob(registry, "att/min", attestation.at("/layers/0/digest").asText());
            String text = new String(statement, StandardCharsets.UTF_8);
            assertFalse(text.contains("s3cr3t-value"), "mode=min leaves build-arg values out");
            assertFalse(text.contains(System.getenv("HOME")), "never a secret value");
            assertFalse(text.contains("apikey"), "mode=min leaves secret ids out");
            JsonNode predicate = JSON.readTree(statement).get("predicate");
            assertFalse(predicate.has("buildConfig"));
            assertEquals(List.of(), fieldNames(predicate.at("/invocation/parameters/args")));

            // The image itself is the index's first entry; BuildKit's -q prints its config digest.
            CliTest.Result quiet = CliTest.run("--root", temp.resolve("store").toString(), "-q", "-t", target, "--push",
                    context.toString());
            assertEquals(0, quiet.exitCode(), quiet.err());
            JsonNode image = rawManifest(registry, registry.host() + "/att/min@" + index.at("/manifests/0/digest").asText());
            assertEquals(image.at("/config/digest").asText() + "\n", quiet.out());
        }
    }

    @Test
    void provenanceSurvivesPushPullArchivesAndInspectReadsItFromStoreOrRegistry() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            Path context = Files.createDirectories(temp.resolve("context"));
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
            Files.writeString(context.resolve("a.txt"), "a\n");
            String target = registry.reference("att/v1", "1");
            String store = temp.resolve("store").toString();
            Path iid = temp.resolve("iid");
            CliTest.Result built = CliTest.run("--root", store, "-t", target, "--push", "--provenance=mode=max,version=v1",
                    "-o", "type=oci,dest=" + temp.resolve("image.tar"), "--iidfile", iid.toString(), context.toString());
            assertEquals(0, built.exitCode(), built.err());
            // One platform with its attestation: the ID is the config's, in images as in --iidfile.
            assertEquals(Files.readString(iid).substring(7, 19), CliTest.run("--root", store, "images", "-q").out().strip());

            JsonNode archive = JSON.readTree(ExternalTool.command("skopeo", "inspect", "--raw",
                    "oci-archive:" + temp.resolve("image.tar")).runSuccessfully().stdout());
            assertEquals(2, archive.get("manifests").size(), "the OCI archive holds the image and its attestation manifest");
            assertEquals("attestation-manifest", archive.at("/manifests/1/annotations/vnd.docker.reference.type").asText());

            for (String root : List.of(store, temp.resolve("pulled").toString(), temp.resolve("empty").toString())) {
                if (root.endsWith("pulled")) {
                    CliTest.Result pulled = CliTest.run("--root", root, "pull", target);
                    assertEquals(0, pulled.exitCode(), pulled.err());
                }
                // The first two read the store, the last one the registry (its store does not have the image).
                CliTest.Result inspect = CliTest.run("--root", root, "inspect", "--provenance", target);
                assertEquals(0, inspect.exitCode(), root + ": " + inspect.err());
                JsonNode predicate = JSON.readTree(inspect.out());
                assertEquals("https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md",
                        predicate.at("/buildDefinition/buildType").asText(), inspect.out());
                assertEquals("Dockerfile", predicate.at("/buildDefinition/externalParameters/configSource/path").asText());
                assertEquals(System.getProperty("user.name"), predicate.at("/runDetails/metadata/jbuild_invoker/user").asText());
                assertTrue(predicate.at("/buildDefinition/internalParameters/buildConfig/steps").size() > 0);
            }
            CliTest.Result none = CliTest.run("--root", store, "inspect", "--sbom", target);
            assertEquals(1, none.exitCode(), none.err());
            assertTrue(none.err().contains("no SBOM attestation"), none.err());
            CliTest.Result images = CliTest.run("--root", temp.resolve("pulled").toString(), "images");
            assertEquals(0, images.exitCode(), images.err());
            assertTrue(images.out().contains("att/v1"), images.out());
        }
    }

    @Test
    void sbomListsTheDpkgPackagesOfTheImage() throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.createDirectories(context.resolve("var/lib/dpkg"));
        Files.createDirectories(context.resolve("etc"));
        Files.copy(Path.of("/var/lib/dpkg/status"), context.resolve("var/lib/dpkg/status"));
        Files.copy(Path.of("/etc/os-release"), context.resolve("etc/os-release"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY var /var\nCOPY etc /etc\n");
        String store = temp.resolve("store").toString();
        CliTest.Result built = CliTest.run("--root", store, "-t", "sbom/app:1", "--sbom=true", context.toString());
        assertEquals(0, built.exitCode(), built.err());
        CliTest.Result inspect = CliTest.run("--root", store, "inspect", "--sbom", "sbom/app:1");
        assertEquals(0, inspect.exitCode(), inspect.err());
        JsonNode spdx = JSON.readTree(inspect.out());
        assertEquals("SPDX-2.3", spdx.get("spdxVersion").asText());
        Set<String> listed = new HashSet<>();
        spdx.get("packages").forEach(p -> {
            for (JsonNode ref : p.path("externalRefs")) {
                if (ref.path("referenceLocator").asText().startsWith("pkg:deb/")) {
                    listed.add(p.get("name").asText() + " " + p.get("versionInfo").asText());
                }
            }
        });
        Set<String> expected = new HashSet<>(ExternalTool.command("dpkg-query", "--admindir=" + context.resolve("var/lib/dpkg"),
                "-W", "-f", "${Package} ${Version}\\n").runSuccessfully().stdout().lines().toList());
        assertEquals(expected, listed);
        CliTest.Result noProvenance = CliTest.run("--root", store, "inspect", "--provenance", "sbom/app:1");
        assertEquals(1, noProvenance.exitCode(), "only the SBOM was asked for: " + noProvenance.out());
    }

    @Test
    void localOutputsWriteTheStatementsAboutTheExportedFilesBesideThem() throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\nCOPY sub /sub\n");
        Files.writeString(context.resolve("a.txt"), "a\n");
        Files.createDirectories(context.resolve("sub"));
        Files.writeString(context.resolve("sub/b.txt"), "bb\n");
        Path out = temp.resolve("out");
        CliTest.Result result = CliTest.run("--root", temp.resolve("store").toString(), "--platform", "linux/amd64,linux/arm64",
                "--provenance=mode=max", "--sbom=true", "-o", "type=local,dest=" + out, context.toString());
        assertEquals(0, result.exitCode(), result.err());
        for (String platform : List.of("linux_amd64", "linux_arm64")) {
            Path dir = out.resolve(platform);
            assertEquals("a\n", Files.readString(dir.resolve("a.txt")));
            for (String name : List.of("provenance.json", "sbom.spdx.json")) {
                Path file = dir.resolve(name);
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                JsonNode statement = JSON.readTree(file.toFile());
                assertEquals(name.startsWith("sbom") ? "https://spdx.dev/Document" : "https://slsa.dev/provenance/v0.2",
                        statement.get("predicateType").asText());
                // BuildKit's local exporter: the subjects are the exported files, by path and sha256.
                Map<String, String> subjects = new TreeMap<>();
                statement.get("subject").forEach(sub -> subjects.put(sub.get("name").asText(), sub.at("/digest/sha256").asText()));
                assertEquals(Map.of("a.txt", Digest.of("a\n".getBytes(StandardCharsets.UTF_8)).hex(),
                        "sub/b.txt", Digest.of("bb\n".getBytes(StandardCharsets.UTF_8)).hex()), subjects);
            }
        }
        // Exporting again into the same directory does not count the earlier statements as exported files.
        CliTest.Result again = CliTest.run("--root", temp.resolve("store").toString(), "--provenance=true",
                "-o", "type=local,dest=" + out.resolve("linux_amd64"), context.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(2, JSON.readTree(out.resolve("linux_amd64/provenance.json").toFile()).get("subject").size());
    }

    @Test
    void ociReferrersUseTheTagSchemaOnARegistryWithoutTheReferrersApi() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            Path context = Files.createDirectories(temp.resolve("context"));
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
            Files.writeString(context.resolve("a.txt"), "a\n");
            String store = temp.resolve("store").toString();
            String target = registry.reference("att/ref", "1");
            CliTest.Result result = CliTest.run("--root", store, "-t", target, "--push", "--oci-referrers", context.toString());
            assertEquals(0, result.exitCode(), result.err());
            JsonNode index = rawManifest(registry, target);
            String image = index.at("/manifests/0/digest").asText();
            String attestation = index.at("/manifests/1/digest").asText();

            // Distribution 2.8 has no referrers API, so the referrers are in the index tagged sha256-<hex>.
            HttpResponse<byte[]> api = registry.httpClient().send(HttpRequest.newBuilder(
                    URI.create(registry.baseUri() + "/v2/att/ref/referrers/" + image)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(404, api.statusCode());
            String fallback = registry.host() + "/att/ref:" + image.replace(':', '-');
            JsonNode referrers = rawManifest(registry, fallback);
            assertEquals("application/vnd.oci.image.index.v1+json", referrers.get("mediaType").asText());
            assertEquals(1, referrers.get("manifests").size(), referrers.toString());
            JsonNode entry = referrers.at("/manifests/0");
            assertEquals(attestation, entry.get("digest").asText());
            assertEquals("application/vnd.oci.image.manifest.v1+json", entry.get("mediaType").asText());
            assertEquals("application/vnd.docker.attestation.manifest.v1+json", entry.get("artifactType").asText());
            assertEquals(rawBytes(registry, registry.host() + "/att/ref@" + attestation).length, entry.get("size").asLong());
            assertEquals(image, rawManifest(registry, registry.host() + "/att/ref@" + attestation).at("/subject/digest").asText());

            // Pushing the same image again lists its referrer once.
            CliTest.Result again = CliTest.run("--root", store, "push", "--oci-referrers", target);
            assertEquals(0, again.exitCode(), again.err());
            assertEquals(1, rawManifest(registry, fallback).get("manifests").size());

            CliTest.Result local = CliTest.run("--root", store, "-t", "att/local:1", "--oci-referrers", "--provenance=true",
                    context.toString());
            assertEquals(2, local.exitCode());
            assertTrue(local.err().contains("--oci-referrers publishes what the build pushes: add --push"), local.err());
            CliTest.Result none = CliTest.run("--root", store, "-t", target, "--push", "--oci-referrers", "--provenance=false",
                    context.toString());
            assertEquals(2, none.exitCode());
            assertTrue(none.err().contains("the build makes none"), none.err());
        }
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.get("name").asText()));
        return names;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode rawManifest(LocalRegistry registry, String reference) throws Exception {
        return JSON.readTree(rawBytes(registry, reference));
    }

    private static byte[] rawBytes(LocalRegistry registry, String reference) {
        List<String> inspect = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
        inspect.addAll(registry.skopeoOptions(""));
        inspect.add("docker://" + reference);
        return ExternalTool.command(inspect).runSuccessfully().stdout().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] blob(LocalRegistry registry, String repository, String digest) throws Exception {
        HttpResponse<byte[]> response = registry.httpClient().send(HttpRequest.newBuilder(
                URI.create(registry.baseUri() + "/v2/" + repository + "/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        return response.body();
    }
}
