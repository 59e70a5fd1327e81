package dev.jbuild.plan;

import dev.jbuild.dockerfile.Caret;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.dockerfile.Location;
import java.util.List;

/**
 * The Dockerfile parses but cannot be built as asked: unknown target, a blank base name, a cycle. It
 * carries the build checks' findings made before the failure, which {@code --check} reports with it
 * (BuildKit's lint results hold warnings and the build error together).
 */
public final class PlanException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Location location;
    private final transient Caret caret;
    private transient List<Finding> findings = List.of();

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

    /** The reported findings made before the failure, in line order. */
    public List<Finding> findings() {
        return findings;
    }

    PlanException withFindings(List<Finding> found) {
        this.findings = List.copyOf(found);
        return this;
    }

    public Location location() {
        return location;
    }

    /** The character the problem is about (a flag, a word, the {@code $} of a substitution), or null. */
    public Caret caret() {
        return caret;
    }
}
