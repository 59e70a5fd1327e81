package dev.jbuild.dockerfile;

/**
 * A point in the Dockerfile that an error is about, for the {@code Dockerfile:LINE:COLUMN} prefix
 * and a caret under the source line.
 *
 * @param line   the physical line (1-based), which for a continued instruction may be a later line
 *               than the instruction's first
 * @param column the 0-based index of the character in that line (a Java {@code char} index into the
 *               line as written, tabs counted as one)
 */
public record Caret(int line, int column) {

    public Caret {
        if (line < 1 || column < 0) {
            throw new IllegalArgumentException("no caret at line " + line + ", column " + column);
        }
    }
}
