package dev.jbuild.api;

import java.util.List;

/** The build started and failed: a step failed, a pull or push failed, an output could not be written. */
public final class BuildFailedException extends JBuildException {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final String step;
    private final boolean interrupted;

    BuildFailedException(String message, int line, String step, boolean interrupted, List<String> report, Throwable cause) {
        super(message, report, cause);
        this.line = line;
        this.step = step;
        this.interrupted = interrupted;
    }

    /** The Dockerfile line of the failed step, 0 when the failure is not a step's. */
    public int line() {
        return line;
    }

    /** The failed step's instruction as written ({@code RUN make}), or null. */
    public String step() {
        return step;
    }

    /** Whether the build was interrupted (the thread, Ctrl-C) rather than failed by itself. */
    public boolean interrupted() {
        return interrupted;
    }
}
