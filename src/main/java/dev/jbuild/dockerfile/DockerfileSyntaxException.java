package dev.jbuild.dockerfile;

/**
 * A Dockerfile that cannot be parsed. The message never contains the location; callers print
 * {@code location.prefix() + ": " + getMessage()} followed by the offending source line.
 */
public final class DockerfileSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Location location;
    private final String sourceLine;
    private final int column;

    /**
     * @param location   where the error is
     * @param message    what is wrong, without the location
     * @param sourceLine the offending physical line, or null
     * @param column     0-based column for a caret, or -1 when no column helps
     */
    public DockerfileSyntaxException(Location location, String message, String sourceLine, int column) {
        super(message);
        this.location = location;
        this.sourceLine = sourceLine;
        this.column = column;
    }

    public Location location() {
        return location;
    }

    public String sourceLine() {
        return sourceLine;
    }

    public int column() {
        return column;
    }
}
