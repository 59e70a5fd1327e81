package dev.jbuild.plan;

import dev.jbuild.dockerfile.Caret;
import dev.jbuild.dockerfile.Location;

/** The Dockerfile parses but cannot be built as asked: unknown target, duplicate stage name, a cycle. */
public final class PlanException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Location location;
    private final transient Caret caret;

    /** @param location where the problem is, or null when it is about the command line */
    public PlanException(Location location, String message) {
        this(location, message, null);
    }

    /** @param caret the character of the instruction the problem is about, or null */
    public PlanException(Location location, String message, Caret caret) {
        super(message);
        this.location = location;
        this.caret = caret;
    }

    public Location location() {
        return location;
    }

    /** The character the problem is about (a flag, a word, the {@code $} of a substitution), or null. */
    public Caret caret() {
        return caret;
    }
}
