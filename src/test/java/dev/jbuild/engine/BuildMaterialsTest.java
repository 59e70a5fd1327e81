package dev.jbuild.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jbuild.attestation.Material;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.image.Digest;
import dev.jbuild.testing.DownloadServer;
import dev.jbuild.testing.Integration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a build reports it read from outside: images by resolved digest, downloads by content, the context files. */
@Integration
class BuildMaterialsTest {

    @TempDir
    Path temp;

    @Test
    void baseImagesDownloadsAndContextFilesAreRecordedByDigest() throws Exception {
        BuildFixture fixture = new BuildFixture(temp.resolve("context"), temp.resolve("store"));
        fixture.file("a", "a\n").file("b", "b\n").file("unrelated", "x\n");
        fixture.tags = List.of("docker.io/library/base:1");
        BuildResult base = fixture.build("FROM scratch\nCOPY a /a\n");
        fixture.tags = List.of();

        byte[] body = "downloaded\n".getBytes(StandardCharsets.UTF_8);
        try (DownloadServer server = DownloadServer.serving(body)) {
            String url = server.url("file?v=1");
            String credentialed = url.replace("http://", "http://user:secret@");
            String dockerfile = "FROM base:1\nCOPY b /b\nADD " + credentialed + " /file\n";
            BuildResult built = fixture.build(dockerfile);

            assertEquals(List.of(
                    new Material(url, Map.of("sha256", Digest.of(body).hex())),
                    new Material("pkg:docker/base@1?platform=linux%2Famd64", Map.of("sha256", base.manifest().digest().hex()))),
                    built.materials(), "sorted by URI; the URL without its user and password");

            Digest context = built.contextDigest();
            assertEquals(context, fixture.build(dockerfile).contextDigest(), "a rebuild reads the same files");
            fixture.file("unrelated", "changed\n");
            assertEquals(context, fixture.build(dockerfile).contextDigest(), "files the build does not read do not count");
            fixture.file("b", "changed\n");
            assertNotEquals(context, fixture.build(dockerfile).contextDigest(), "a file the build copies does");
        }
        assertNull(fixture.build("FROM scratch\nENV A=1\n").contextDigest(), "no context file read");
    }
}
