package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Formats errors that point into a Dockerfile: {@code Dockerfile:12: message} (or
 * {@code Dockerfile:12:7: message} when the error knows its character), the instruction's lines,
 * and a caret under that character.
 */
public final class Diagnostics {

    /** An instruction longer than this shows its first lines only (and the caret's line). */
    private static final int MAX_LINES = 5;

    private Diagnostics() {}

    /** The lines of a syntax error. */
    public static List<String> syntax(DockerfileSyntaxException e) {
        List<String> lines = new ArrayList<>();
        Location location = e.location();
        lines.add(header(location, e.caret(), e.sourceLines()) + ": " + e.getMessage());
        // the parser gives the lines through the caret's; without a caret only the first
        excerpt(lines, e.sourceLines(), location.startLine(), location.startLine(), e.caret());
        return lines;
    }

    /** The lines of an error that may know its instruction ({@code location} null: {@code error: MESSAGE} alone). */
    public static List<String> of(Location location, String message, String dockerfileText, Caret caret) {
        return location == null ? List.of("error: " + message) : atLocation(location, message, dockerfileText, caret);
    }

    /** An error about an instruction: its location, the message, the instruction's lines and a caret when {@code caret} is not null. */
    public static List<String> atLocation(Location location, String message, String dockerfileText, Caret caret) {
        String[] file = dockerfileText == null ? new String[0] : dockerfileText.split("\r?\n", -1);
        int first = location.startLine();
        List<String> source = first - 1 < file.length
                ? Arrays.asList(file).subList(first - 1, file.length)
                : List.of();
        List<String> lines = new ArrayList<>();
        lines.add(header(location, caret, source) + ": " + message);
        excerpt(lines, source, first, location.endLine(), caret);
        return lines;
    }

    /** {@code Dockerfile:LINE} or, with a caret, {@code Dockerfile:LINE:COLUMN} of the caret (1-based, in characters). */
    private static String header(Location location, Caret caret, List<String> source) {
        if (caret == null) {
            return location.prefix();
        }
        String text = lineAt(source, location.startLine(), caret.line());
        int column = text == null ? caret.column() : text.codePointCount(0, Math.min(caret.column(), text.length()));
        return location.file() + ":" + caret.line() + ":" + (column + 1);
    }

    private static String lineAt(List<String> source, int first, int line) {
        int i = line - first;
        return i >= 0 && i < source.size() ? source.get(i) : null;
    }

    /**
     * Adds lines {@code first..last} of {@code source} (at most {@link #MAX_LINES}), and the caret's
     * line after them when it is not among them, with the caret under its character.
     */
    private static void excerpt(List<String> out, List<String> source, int first, int last, Caret caret) {
        int shownLast = Math.min(last, first + MAX_LINES - 1);
        int caretLine = caret == null || lineAt(source, first, caret.line()) == null ? -1 : caret.line();
        if (caretLine > shownLast && caretLine <= first + MAX_LINES - 1) {
            shownLast = caretLine;
        }
        for (int line = first; line <= shownLast && lineAt(source, first, line) != null; line++) {
            addSourceLine(out, line, lineAt(source, first, line), line == caretLine ? caret.column() : -1);
        }
        if (caretLine > shownLast) {
            out.add(String.format(" %4s |", "..."));
            addSourceLine(out, caretLine, lineAt(source, first, caretLine), caret.column());
        }
    }

    private static void addSourceLine(List<String> lines, int lineNumber, String text, int column) {
        String gutter = String.format(" %4d | ", lineNumber);
        lines.add(gutter + text);
        if (column >= 0) {
            lines.add(" ".repeat(gutter.length() - 2) + "| " + indent(text, column) + "^");
        }
    }

    /**
     * What goes before the caret: a tab where the line has a tab, so the caret lands under its
     * character however wide the terminal draws tabs, and one space for any other character.
     */
    private static String indent(String text, int column) {
        StringBuilder indent = new StringBuilder();
        int end = Math.min(column, text.length());
        for (int i = 0; i < end; i += Character.charCount(text.codePointAt(i))) {
            indent.append(text.charAt(i) == '\t' ? '\t' : ' ');
        }
        return indent.toString();
    }
}
