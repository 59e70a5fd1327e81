package dev.jbuild.plan;

import dev.jbuild.dockerfile.Location;

/** The Dockerfile parses but cannot be built as asked: unknown target, duplicate stage name, a cycle. */
public final class PlanException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Location location;

    /** @param location where the problem is, or null when it is about the command line */
    public PlanException(Location location, String message) {
        super(message);
        this.location = location;
    }

    public Location location() {
        return location;
    }
}
