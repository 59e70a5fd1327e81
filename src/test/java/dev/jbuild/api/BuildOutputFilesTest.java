package dev.jbuild.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --metadata-file and --iidfile as BuildKit's image exporter and buildx write them. */
class BuildOutputFilesTest {

    @TempDir
    Path temp;

    private static final Digest CONFIG = Digest.of("config".getBytes(StandardCharsets.UTF_8));

    private JsonNode metadata(String mediaType) throws Exception {
        Descriptor root = new Descriptor(mediaType, Digest.of(mediaType.getBytes(StandardCharsets.UTF_8)), 123);
        BuildResult result = new BuildResult(root, CONFIG, List.of("docker.io/library/app:1"), 1, 1, List.of(), 1, 0,
                List.of(), null);
        Path file = temp.resolve("metadata-" + Math.abs(mediaType.hashCode()) + ".json");
        BuildOutputFiles.write(result, temp.resolve("iid"), file);
        assertEquals(CONFIG.toString(), Files.readString(temp.resolve("iid")), "the image ID is the config digest either way");
        return new ObjectMapper().readTree(file.toFile());
    }

    @Test
    void theConfigDigestIsNamedOnlyWhenTheResultIsOneImageManifest() throws Exception {
        JsonNode manifest = metadata(MediaTypes.OCI_MANIFEST);
        assertEquals(CONFIG.toString(), manifest.path("containerimage.config.digest").asText());
        // One platform with its attestations is an index, as every default push: BuildKit names no config then.
        JsonNode index = metadata(MediaTypes.OCI_INDEX);
        assertFalse(index.has("containerimage.config.digest"), index.toString());
        assertEquals(MediaTypes.OCI_INDEX, index.at("/containerimage.descriptor/mediaType").asText());
    }
}
