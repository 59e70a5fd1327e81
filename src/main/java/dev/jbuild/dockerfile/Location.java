package dev.jbuild.dockerfile;

/**
 * Where an instruction came from: the Dockerfile's display name and its first and last
 * physical line (1-based, inclusive). Continuation lines and heredoc bodies are part of the range.
 */
public record Location(String file, int startLine, int endLine) {

    /** The {@code Dockerfile:12} prefix every user-facing error starts with. */
    public String prefix() {
        return file + ":" + startLine;
    }

    @Override
    public String toString() {
        return startLine == endLine ? prefix() : prefix() + "-" + endLine;
    }
}
