package dev.jbuild.cli;

/** Exit codes, documented in docs/usage.md; 125 follows Docker's and Podman's "the tool itself failed". */
final class ExitCodes {
    static final int OK = 0;
    /** The build (or the Dockerfile) failed. */
    static final int BUILD_FAILED = 1;
    /** The command line was wrong. */
    static final int USAGE = 2;
    /** The environment is unfit: missing tools, no user namespaces, unreadable store. */
    static final int ENVIRONMENT = 125;
    /** Interrupted by SIGINT/SIGTERM. */
    static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
