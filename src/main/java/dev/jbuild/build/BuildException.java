package dev.jbuild.build;

import dev.jbuild.dockerfile.Location;

/**
 * A build that cannot go on: the message says what failed, {@link #location()} which Dockerfile
 * instruction (null for failures outside any instruction, such as writing an output).
 */
public final class BuildException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Location location;

    public BuildException(Location location, String message, Throwable cause) {
        super(message, cause);
        this.location = location;
    }

    public BuildException(Location location, String message) {
        this(location, message, null);
    }

    public Location location() {
        return location;
    }
}
