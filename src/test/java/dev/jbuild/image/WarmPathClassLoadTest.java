package dev.jbuild.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a warm build does with documents (read a base config and manifest and the build cache's
 * descriptors and history entries, write a new config with history, its manifest and an index entry) must not build the ObjectMapper: that is the saving of
 * {@link ConfigReader} and {@link DocumentWriter}, and one careless call through {@link Json#mapper()}
 * would quietly lose it. Checked in a fresh JVM with the class-loading log; the same JVM reading
 * through the mapper shows that the check sees the mapper when it is built.
 */
@Integration
class WarmPathClassLoadTest {

    private static final String MAPPER_CLASS = "com.fasterxml.jackson.databind.json.JsonMapper";

    /** The child: the documents of a warm build; prints their digests. With "mapper", reads through the mapper. */
    public static final class WarmPath {
        public static void main(String[] args) throws Exception {
            boolean viaMapper = args.length > 0 && args[0].equals("mapper");
            byte[] configBytes = Fixtures.read("config-canonical.json");
            ImageConfig base = viaMapper ? ImageDocuments.parseConfigWithMapper(configBytes).value()
                    : ImageDocuments.parseConfig(configBytes).value();
            Manifest baseManifest = ImageDocuments.parseManifest(Fixtures.read("docker-manifest.json")).value();
            List<ImageConfig.History> history = new ArrayList<>(base.history());
            history.add(new ImageConfig.History("2024-05-01T10:00:00Z", "RUN /bin/sh -c echo 1 > /f1", "buildkit.dockerfile.v0", false));
            // The build cache's records: a layer descriptor and a history entry per step.
            ImageDocuments.parsePart(ImageDocuments.canonicalBytes(baseManifest.layers().get(0)), Descriptor.class);
            ImageDocuments.parsePart(ImageDocuments.canonicalBytes(history.get(history.size() - 1)), ImageConfig.History.class);
            ImageConfig config = base.withoutUnknownFields().withHistory(history).withCreated("2024-05-01T10:00:00Z");
            Document<ImageConfig> configDoc = ImageDocuments.encode(config);
            Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, configDoc.digest(), configDoc.bytes().length);
            Document<Manifest> manifest = ImageDocuments.encode(new Manifest(MediaTypes.OCI_MANIFEST, configDescriptor, baseManifest.layers()));
            Descriptor entry = new Descriptor(MediaTypes.OCI_MANIFEST, manifest.digest(), manifest.bytes().length)
                    .withAnnotation(Descriptor.REF_NAME, "app:1").withPlatform(config.platform());
            Document<Index> index = ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX, List.of(entry)));
            System.out.println(configDoc.digest() + " " + manifest.digest() + " " + index.digest());
        }
    }

    private static String run(Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off", "-Xlog:class+load=info:file=" + log,
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                WarmPath.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out);
        return out.trim();
    }

    @Test
    void aWarmBuildsDocumentsDoNotBuildTheMapper(@TempDir Path dir) throws Exception {
        Path fastLog = dir.resolve("fast.log");
        Path mapperLog = dir.resolve("mapper.log");
        String fast = run(fastLog);
        String viaMapper = run(mapperLog, "mapper");
        // The same documents either way, and the same as this JVM's mapper writes them.
        assertEquals(viaMapper, fast);
        String fastClasses = Files.readString(fastLog);
        assertTrue(fastClasses.contains(" dev.jbuild.image.DocumentWriter "), "the log lists the classes loaded");
        assertFalse(fastClasses.contains(" " + MAPPER_CLASS + " "), "the warm path built the ObjectMapper");
        assertTrue(Files.readString(mapperLog).contains(" " + MAPPER_CLASS + " "), "the check sees a mapper when one is built");
    }
}
