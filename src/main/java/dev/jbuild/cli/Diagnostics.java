package dev.jbuild.cli;

import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.plan.PlanException;
import java.util.ArrayList;
import java.util.List;

/** Formats errors that point into a Dockerfile: {@code Dockerfile:12: message}, the line, a caret. */
final class Diagnostics {

    private Diagnostics() {}

    static CliFailure syntax(DockerfileSyntaxException e) {
        List<String> lines = new ArrayList<>();
        lines.add(e.location().prefix() + ": " + e.getMessage());
        if (e.sourceLine() != null) {
            addSourceLine(lines, e.location().startLine(), e.sourceLine(), e.column());
        }
        return new CliFailure(ExitCodes.BUILD_FAILED, lines, e);
    }

    static CliFailure plan(PlanException e, String dockerfileText) {
        Location location = e.location();
        if (location == null) {
            return new CliFailure(ExitCodes.BUILD_FAILED, List.of("error: " + e.getMessage()), e);
        }
        return atLocation(location, e.getMessage(), dockerfileText, e);
    }

    /** An error about an instruction: its location, the message, and the instruction's lines. */
    static CliFailure atLocation(Location location, String message, String dockerfileText, Throwable cause) {
        List<String> lines = new ArrayList<>();
        lines.add(location.prefix() + ": " + message);
        String[] source = dockerfileText == null ? new String[0] : dockerfileText.split("\r?\n", -1);
        int last = Math.min(location.endLine(), location.startLine() + 4);
        for (int line = location.startLine(); line <= last && line - 1 < source.length; line++) {
            addSourceLine(lines, line, source[line - 1], -1);
        }
        return new CliFailure(ExitCodes.BUILD_FAILED, lines, cause);
    }

    private static void addSourceLine(List<String> lines, int lineNumber, String text, int column) {
        String gutter = String.format(" %4d | ", lineNumber);
        lines.add(gutter + text);
        if (column >= 0) {
            lines.add(" ".repeat(gutter.length() - 2) + "| " + " ".repeat(Math.min(column, text.length())) + "^");
        }
    }
}
