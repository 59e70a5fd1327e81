package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Digest;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfileSourceTest {

    @TempDir
    Path temp;

    /** BuildKit reads any bytes: a Latin-1 comment must not make the file unreadable. */
    @Test
    void bytesThatAreNotUtf8BecomeReplacementCharactersFromAFileAsFromStandardInput() throws Exception {
        byte[] bytes = "FROM scratch\n# caf\u00e9 \nLABEL a=b\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path file = Files.write(temp.resolve("Dockerfile"), bytes);

        DockerfileSource fromFile = DockerfileSource.read(file.toString(), new ByteArrayInputStream(new byte[0]));
        DockerfileSource fromStdin = DockerfileSource.read("-", new ByteArrayInputStream(bytes));

        assertEquals("FROM scratch\n# caf\uFFFD \nLABEL a=b\n", fromFile.text());
        assertEquals(fromFile.text(), fromStdin.text());
        assertEquals(Digest.of(bytes), fromFile.digest(), "the digest is of the bytes as read");
        assertEquals(2, fromFile.parse().instructions().size());
    }

    @Test
    void aMissingFileIsNamed() {
        DockerfileSource.UnreadableException e = assertThrows(DockerfileSource.UnreadableException.class,
                () -> DockerfileSource.read(temp.resolve("nope").toString(), new ByteArrayInputStream(new byte[0])));
        assertTrue(e.getMessage().endsWith("nope: no such file"), e.getMessage());
    }
}
