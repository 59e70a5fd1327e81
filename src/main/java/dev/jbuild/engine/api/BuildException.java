package dev.jbuild.engine.api;

import dev.jbuild.dockerfile.Caret;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.store.FileErrors;
import java.io.IOException;

/**
 * A build that cannot go on: the message says what failed, {@link #location()} which Dockerfile
 * instruction (null for failures outside any instruction, such as writing an output).
 */
public final class BuildException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Location location;
    private final transient Caret caret;

    public BuildException(Location location, String message, Throwable cause) {
        this(location, message, cause, null);
    }

    /** @param caret the character of the instruction the failure is about (the flag whose value is wrong), or null */
    public BuildException(Location location, String message, Throwable cause, Caret caret) {
        super(FileErrors.withReason(message, cause), cause);
        this.location = location;
        this.caret = caret;
    }

    public BuildException(Location location, String message) {
        this(location, message, null);
    }

    /**
     * True when the machine, not the Dockerfile, is the problem (no user namespaces, no subuid
     * range, missing tools): the CLI exits with 125 then, as Docker and Podman do.
     */
    public boolean environmentProblem() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof EnvironmentProblem) {
                return true;
            }
        }
        return false;
    }

    /** Marks a cause as a problem of the machine jbuild runs on. */
    public static final class EnvironmentProblem extends IOException {
        private static final long serialVersionUID = 1L;

        public EnvironmentProblem(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Location location() {
        return location;
    }

    /** The character the failure is about, or null (then the CLI looks for an expansion's word). */
    public Caret caret() {
        return caret;
    }
}
