package dev.jbuild.dockerfile;

import java.util.List;

/**
 * A Dockerfile that cannot be parsed. The message never contains the location; callers print
 * the location (with the caret's line and column when there is one), the message, and the source
 * lines with a caret under the character the error is about.
 */
public final class DockerfileSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Location location;
    private final List<String> sourceLines;
    private final transient Caret caret;

    /**
     * @param location    where the error is
     * @param message     what is wrong, without the location
     * @param sourceLines the physical lines from the location's first line on (through the caret's
     *                    line when that is a later one); empty when the text is not at hand
     * @param caret       the character the error is about, or null when no single place is
     */
    public DockerfileSyntaxException(Location location, String message, List<String> sourceLines, Caret caret) {
        super(message);
        this.location = location;
        this.sourceLines = List.copyOf(sourceLines);
        this.caret = caret;
    }

    public Location location() {
        return location;
    }

    /** The instruction's first physical line, or null. */
    String sourceLine() {
        return sourceLines.isEmpty() ? null : sourceLines.get(0);
    }

    /** Physical lines from {@code location().startLine()} on. */
    public List<String> sourceLines() {
        return sourceLines;
    }

    /** The character the error is about, or null. */
    public Caret caret() {
        return caret;
    }
}
