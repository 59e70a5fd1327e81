package dev.jbuild.cli;

import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.SyntaxTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The Dockerfile's text and the name errors show for it. */
record DockerfileSource(String displayName, String text) {

    /** Reads {@code -f PATH}, or standard input for {@code -f -}. */
    static DockerfileSource read(String file, InputStream stdin) {
        if (file.equals("-")) {
            try {
                return new DockerfileSource("Dockerfile", new String(stdin.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the Dockerfile from standard input: " + e.getMessage());
            }
        }
        Path path = Path.of(file);
        try {
            return new DockerfileSource(path.getFileName().toString(), Files.readString(path, StandardCharsets.UTF_8));
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
