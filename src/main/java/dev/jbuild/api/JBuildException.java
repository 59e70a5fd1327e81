package dev.jbuild.api;

import java.util.List;

/**
 * Why a build (or a check) did not happen. The subclass says whose the problem is; {@link #getMessage()}
 * says what it is, and {@link #report()} holds the lines the CLI prints for it.
 */
public abstract sealed class JBuildException extends Exception
        permits InvalidBuildException, DockerfileException, BuildFailedException, EnvironmentException {

    private static final long serialVersionUID = 1L;

    private final List<String> report;

    JBuildException(String message, List<String> report, Throwable cause) {
        super(message, cause);
        this.report = List.copyOf(report);
    }

    /**
     * The error as the CLI prints it: {@code error: ...}, or for a Dockerfile error its location,
     * the message, the instruction's lines and a caret under the place ({@code Dockerfile:3:5: ...}).
     */
    public List<String> report() {
        return report;
    }
}
