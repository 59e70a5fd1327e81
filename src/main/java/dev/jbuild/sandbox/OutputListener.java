package dev.jbuild.sandbox;

/** Receives the command's output line by line, as it is printed (called from reader threads). */
@FunctionalInterface
public interface OutputListener {
    enum Stream { STDOUT, STDERR }

    /** @param line one line without its terminator (a last line without newline is delivered too) */
    void line(Stream stream, String line);

    static OutputListener discard() {
        return (stream, line) -> { };
    }
}
