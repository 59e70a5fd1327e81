package dev.jbuild.api;

import java.util.List;

/**
 * A failure inside the API's implementation, already worded for the user: what the option parsers and
 * input readers throw, so that none of them needs a checked exception of its own. {@link BuildRun} turns it
 * into the typed {@link JBuildException} at the boundary, where the build is also recorded.
 */
final class Problem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Whose the problem is, with the CLI's exit code for it (the build record keeps it too). */
    enum Kind {
        INVALID(2), DOCKERFILE(1), FAILED(1), ENVIRONMENT(125), INTERRUPTED(130);

        final int exitCode;

        Kind(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    static final int OK = 0;

    private final Kind kind;
    private final List<String> lines;
    private final int line;
    private final String step;
    private final List<dev.jbuild.dockerfile.Finding> findings;
    private CheckOutcome check;

    private Problem(Kind kind, String message, List<String> lines, Throwable cause) {
        this(kind, message, lines, cause, 0, null, List.of());
    }

    private Problem(Kind kind, String message, List<String> lines, Throwable cause, int line, String step,
            List<dev.jbuild.dockerfile.Finding> findings) {
        super(message, cause);
        this.kind = kind;
        this.lines = List.copyOf(lines);
        this.line = line;
        this.step = step;
        this.findings = List.copyOf(findings);
    }

    /** An error in the Dockerfile (syntax, plan) at {@code line} (0: none), with the findings made before it. */
    static Problem dockerfile(String message, int line, List<String> lines, List<dev.jbuild.dockerfile.Finding> findings,
            Throwable cause) {
        return new Problem(Kind.DOCKERFILE, message, lines, cause, line, null, findings);
    }

    /** A failed step: {@code step} its instruction as written, at {@code line}. */
    static Problem step(String message, int line, String step, List<String> lines, Throwable cause) {
        return new Problem(Kind.FAILED, message, lines, cause, line, step, List.of());
    }

    /** A bad option value or request: the CLI's usage error ({@code jbuild: MESSAGE}, exit code 2). */
    static Problem invalid(String message) {
        return new Problem(Kind.INVALID, message, List.of(message), null);
    }

    /** A flag refused until it is implemented, worded as every such flag is. */
    static Problem notImplemented(String flag, String hint) {
        return invalid(InvalidBuildException.notImplemented(flag, hint).getMessage());
    }

    /** A failed build: {@code line} is {@code error: ...} as the CLI prints it. */
    static Problem failed(String line) {
        return failed(List.of(line), null);
    }

    static Problem failed(List<String> lines, Throwable cause) {
        return new Problem(Kind.FAILED, message(lines), lines, cause);
    }

    /** The machine cannot do it (the CLI's exit code 125). */
    static Problem environment(String line) {
        return environment(List.of(line), null);
    }

    static Problem environment(List<String> lines, Throwable cause) {
        return new Problem(Kind.ENVIRONMENT, message(lines), lines, cause);
    }

    static Problem interrupted(String line) {
        return new Problem(Kind.INTERRUPTED, message(List.of(line)), List.of(line), null);
    }

    /** This problem, from a build that was interrupted (its thread, Ctrl-C): the same lines, the kind INTERRUPTED. */
    Problem asInterrupted() {
        return new Problem(Kind.INTERRUPTED, getMessage(), lines, getCause(), line, step, findings);
    }

    /** Whether {@code failure} comes of an interrupt: the thread's flag, else its causes ({@link BuildRecorder#byInterrupt}). */
    static boolean isInterrupt(Throwable failure) {
        return Thread.currentThread().isInterrupted() || BuildRecorder.byInterrupt(failure);
    }

    /** For a Dockerfile error of {@link ImageBuild#check()}: the findings before it, as the CLI prints them. */
    Problem withCheck(CheckOutcome outcome) {
        this.check = outcome;
        return this;
    }

    Kind kind() {
        return kind;
    }

    /** The typed exception of the API for this problem. */
    JBuildException toException(java.util.function.Function<dev.jbuild.dockerfile.Finding, Finding> findingOf) {
        return switch (kind) {
            case INVALID -> new InvalidBuildException(getMessage());
            case DOCKERFILE -> new DockerfileException(getMessage(), line, lines, findings.stream().map(findingOf).toList(), check,
                    getCause());
            case FAILED -> new BuildFailedException(getMessage(), line, step, false, lines, getCause());
            case INTERRUPTED -> new BuildFailedException(getMessage(), line, step, true, lines, getCause());
            case ENVIRONMENT -> new EnvironmentException(getMessage(), lines, getCause());
        };
    }

    /** The lines the CLI prints. */
    List<String> lines() {
        return lines;
    }

    /** The first line without the {@code error: } the CLI puts before it. */
    private static String message(List<String> lines) {
        String first = lines.isEmpty() ? "" : lines.get(0);
        return first.startsWith("error: ") ? first.substring("error: ".length()) : first;
    }
}
