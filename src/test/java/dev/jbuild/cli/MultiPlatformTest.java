package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                    "-o", "type=oci,dest=" + temp.resolve("oci.tar"), context.toString());
            assertEquals(0, result.exitCode(), result.err());
            assertEquals("built for amd64\n", Files.readString(temp.resolve("local/linux_amd64/arch.txt")));
            assertEquals("built for arm64\n", Files.readString(temp.resolve("local/linux_arm64/arch.txt")));

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
