package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --platform with several platforms: one image each, joined in one index that is stored, exported and pushed.
 * RUN for several platforms (emulation) is {@link EmulatedRunTest}'s.
 */
@Integration
class MultiPlatformTest {

    @TempDir
    Path temp;

    private CliTest.Result jbuild(String... args) {
        return CliTest.run(args);
    }

    @Test
    void oneIndexWithAnImagePerPlatform() throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("amd64.txt"), "built for amd64\n");
        Files.writeString(context.resolve("arm64.txt"), "built for arm64\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}.txt /arch.txt\n");
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String target = registry.reference("multi/app", "1");
            CliTest.Result result = jbuild("--root", temp.resolve("store").toString(), "--platform", "linux/amd64,linux/arm64",
                    "-t", target, "--push", "-o", "type=local,dest=" + temp.resolve("local"),
                    "-o", "type=tar,dest=" + temp.resolve("rootfs.tar"), "-o", "type=oci,dest=" + temp.resolve("oci.tar"), context.toString());
            assertEquals(0, result.exitCode(), result.err());
            assertEquals("built for amd64\n", Files.readString(temp.resolve("local/linux_amd64/arch.txt")));
            assertEquals("built for arm64\n", Files.readString(temp.resolve("local/linux_arm64/arch.txt")));
            // The root filesystem tar holds the same directories as BuildKit's tar exporter writes them.
            Map<String, String> tar = new TreeMap<>();
            try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(temp.resolve("rootfs.tar")))) {
                for (TarArchiveEntry entry = in.getNextTarEntry(); entry != null; entry = in.getNextTarEntry()) {
                    tar.put(entry.getName(), entry.isDirectory() ? "dir " + Integer.toOctalString(entry.getMode())
                            : new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(Map.of("linux_amd64/", "dir 755", "linux_amd64/arch.txt", "built for amd64\n",
                    "linux_arm64/", "dir 755", "linux_arm64/arch.txt", "built for arm64\n"), tar);

            List<String> inspect = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
            inspect.addAll(registry.skopeoOptions(""));
            inspect.add("docker://" + target);
            JsonNode index = new ObjectMapper().readTree(ExternalTool.command(inspect).runSuccessfully().stdout());
            assertEquals("application/vnd.oci.image.index.v1+json", index.get("mediaType").asText());
            List<String> architectures = new ArrayList<>();
            index.get("manifests").forEach(m -> architectures.add(m.at("/platform/architecture").asText()));
            // A pushed image has provenance by default: one attestation manifest per platform, after the images.
            assertEquals(List.of("amd64", "arm64", "unknown", "unknown"), architectures);

            JsonNode archive = new ObjectMapper().readTree(ExternalTool.command("skopeo", "inspect", "--raw",
                    "oci-archive:" + temp.resolve("oci.tar")).runSuccessfully().stdout());
            assertEquals(4, archive.get("manifests").size(), "the OCI archive holds both platforms and their attestations");
            assertTrue(result.err().contains("pushed " + registry.host() + "/multi/app@sha256:"), result.err());

            // The image's ID is the index digest, in the build's output and in `jbuild images` alike.
            Matcher written = Pattern.compile("writing image sha256:([0-9a-f]{12})")
                    .matcher(result.err());
            assertTrue(written.find(), result.err());
            CliTest.Result images = jbuild("--root", temp.resolve("store").toString(), "images", "-q");
            assertEquals(written.group(1) + "\n", images.out(), images.err());
        }
    }
}
