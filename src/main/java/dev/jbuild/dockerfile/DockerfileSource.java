package dev.jbuild.dockerfile;

import dev.jbuild.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The Dockerfile's text, the name errors show for it, and the digest of its bytes as read (the build
 * record's, which must name the file itself, not a decoding of it).
 */
public record DockerfileSource(String displayName, String text, Digest digest) {

    /** The Dockerfile cannot be read; the message says which and why, worded for the user. */
    public static final class UnreadableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Reads {@code -f PATH}, or standard input for {@code -f -}. */
    public static DockerfileSource read(String file, InputStream stdin) throws UnreadableException {
        if (file.equals("-")) {
            try {
                byte[] bytes = stdin.readAllBytes();
                return new DockerfileSource("Dockerfile", new String(bytes, StandardCharsets.UTF_8), Digest.of(bytes));
            } catch (IOException e) {
                throw new UnreadableException("reading the Dockerfile from standard input: " + e.getMessage(), e);
            }
        }
        Path path = Path.of(file);
        try {
            byte[] bytes = Files.readAllBytes(path);
            // As from standard input: bytes that are not UTF-8 (a Latin-1 "# café" comment) become U+FFFD.
            // BuildKit reads any bytes (Go keeps them raw); refusing the file would fail builds it runs.
            return new DockerfileSource(path.getFileName().toString(), new String(bytes, StandardCharsets.UTF_8),
                    Digest.of(bytes));
        } catch (NoSuchFileException e) {
            throw new UnreadableException("cannot read the Dockerfile: " + file + ": no such file", e);
        } catch (IOException e) {
            throw new UnreadableException("cannot read the Dockerfile: " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses to BuildKit's parser level only (no instruction checks), for {@code jbuild parse}. */
    public SyntaxTree parseSyntax() throws DockerfileSyntaxException {
        return DockerfileParser.parseSyntax(text, displayName);
    }

    public Dockerfile parse() throws DockerfileSyntaxException {
        return DockerfileParser.parse(text, displayName);
    }
}
