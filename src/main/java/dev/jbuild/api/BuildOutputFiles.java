package dev.jbuild.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.store.FileErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --iidfile} and {@code --metadata-file}, with the keys buildx writes. */
final class BuildOutputFiles {

    private BuildOutputFiles() {}

    static void write(BuildResult result, Path iidFile, Path metadataFile) {
        try {
            if (iidFile != null) {
                Files.writeString(iidFile, result.config().toString(), StandardCharsets.UTF_8);
            }
            if (metadataFile != null) {
                Map<String, Object> descriptor = new LinkedHashMap<>();
                descriptor.put("mediaType", result.manifest().mediaType());
                descriptor.put("digest", result.manifest().digest().toString());
                descriptor.put("size", result.manifest().size());
                Map<String, Object> metadata = new LinkedHashMap<>();
                // BuildKit names the config only when the result is one image manifest: an index (several platforms,
                // or one with its attestations, as every default push) has none, though -q still prints the config.
                if (!MediaTypes.isIndex(result.manifest().mediaType())) {
                    metadata.put("containerimage.config.digest", result.config().toString());
                }
                metadata.put("containerimage.descriptor", descriptor);
                metadata.put("containerimage.digest", result.manifest().digest().toString());
                if (!result.tags().isEmpty()) {
                    metadata.put("image.name", String.join(",", result.tags()));
                }
                byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(metadata);
                Files.write(metadataFile, json);
            }
        } catch (IOException e) {
            throw Problem.failed(FileErrors.withReason("error: writing build result files: " + e.getMessage(), e));
        }
    }
}
