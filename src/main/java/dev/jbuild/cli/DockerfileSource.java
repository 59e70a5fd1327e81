package dev.jbuild.cli;

import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.SyntaxTree;
import dev.jbuild.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The Dockerfile's text, the name errors show for it, and the digest of its bytes as read (the build
 * record's, which must name the file itself, not a decoding of it).
 */
record DockerfileSource(String displayName, String text, Digest digest) {

    /** Reads {@code -f PATH}, or standard input for {@code -f -}. */
    static DockerfileSource read(String file, InputStream stdin) {
        if (file.equals("-")) {
            try {
                byte[] bytes = stdin.readAllBytes();
                return new DockerfileSource("Dockerfile", new String(bytes, StandardCharsets.UTF_8), Digest.of(bytes));
            } catch (IOException e) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the Dockerfile from standard input: " + e.getMessage());
            }
        }
        Path path = Path.of(file);
        try {
            byte[] bytes = Files.readAllBytes(path);
            // Strict, as Files.readString is: a file that is not UTF-8 is refused, not patched.
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            return new DockerfileSource(path.getFileName().toString(), text, Digest.of(bytes));
        } catch (NoSuchFileException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: cannot read the Dockerfile: " + file + ": no such file");
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: cannot read the Dockerfile: " + file + ": " + e.getMessage());
        }
    }

    /** Parses to BuildKit's parser level only (no instruction checks), for {@code jbuild parse}. */
    SyntaxTree parseSyntax() {
        try {
            return DockerfileParser.parseSyntax(text, displayName);
        } catch (DockerfileSyntaxException e) {
            throw Diagnostics.syntax(e);
        }
    }

    Dockerfile parse() {
        try {
            return DockerfileParser.parse(text, displayName);
        } catch (DockerfileSyntaxException e) {
            throw Diagnostics.syntax(e);
        }
    }
}
