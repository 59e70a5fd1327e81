package dev.jbuild.dockerfile;

import java.util.List;
import java.util.Map;

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
    /** The build checks' findings of the instructions before the error, unfiltered ({@link #findings}). */
    private final transient List<Finding> findingsBefore;
    private final transient Map<String, String> directives;
    private final transient Map<Integer, String> checkComments;

    /**
     * @param location    where the error is
     * @param message     what is wrong, without the location
     * @param sourceLines the physical lines from the location's first line on (through the caret's
     *                    line when that is a later one); empty when the text is not at hand
     * @param caret       the character the error is about, or null when no single place is
     */
    public DockerfileSyntaxException(Location location, String message, List<String> sourceLines, Caret caret) {
        this(location, message, sourceLines, caret, List.of(), Map.of(), Map.of());
    }

    private DockerfileSyntaxException(Location location, String message, List<String> sourceLines, Caret caret,
            List<Finding> findingsBefore, Map<String, String> directives, Map<Integer, String> checkComments) {
        super(message);
        this.location = location;
        this.sourceLines = List.copyOf(sourceLines);
        this.caret = caret;
        this.findingsBefore = List.copyOf(findingsBefore);
        this.directives = Map.copyOf(directives);
        this.checkComments = Map.copyOf(checkComments);
    }

    /** This error with the findings of the instructions before it and what decides which are reported. */
    DockerfileSyntaxException withFindingsBefore(List<Finding> findings, SyntaxTree tree) {
        DockerfileSyntaxException e = new DockerfileSyntaxException(location, getMessage(), sourceLines, caret, findings,
                tree.directives(), tree.checkComments());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /**
     * The build checks' findings of the instructions before the error, in line order, as the build's options
     * ({@code # check=}, {@code BUILDKIT_DOCKERFILE_CHECK} among {@code buildArgs}) report them: BuildKit
     * prints them before the error. None when those options cannot be read.
     */
    public List<Finding> findings(Map<String, String> buildArgs) {
        if (findingsBefore.isEmpty()) {
            return List.of();
        }
        String value = buildArgs.containsKey(CheckConfig.BUILD_ARG) ? buildArgs.get(CheckConfig.BUILD_ARG) : directives.get("check");
        try {
            return CheckConfig.parse(value).filter(findingsBefore, checkComments);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
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
