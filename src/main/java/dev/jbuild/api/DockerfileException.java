package dev.jbuild.api;

import java.util.List;

/** The Dockerfile cannot be parsed or planned: a syntax error, an unknown stage, a finding with {@code error=true}. */
public final class DockerfileException extends JBuildException {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final List<Finding> findings;
    private final transient CheckOutcome check;

    DockerfileException(String message, int line, List<String> report, List<Finding> findings, CheckOutcome check,
            Throwable cause) {
        super(message, report, cause);
        this.line = line;
        this.findings = List.copyOf(findings);
        this.check = check;
    }

    /** The Dockerfile line of the error, 0 when it has none. */
    public int line() {
        return line;
    }

    /** The findings of the checks that ran before the error ({@link ImageBuild#check()} reports both). */
    public List<Finding> findings() {
        return findings;
    }

    /**
     * From {@link ImageBuild#check()} when planning failed: the findings made before the error with their
     * report and JSON (which holds the error too), as {@code --check} prints them before the error; else null.
     */
    public CheckOutcome checkOutcome() {
        return check;
    }
}
