package dev.jbuild.dockerfile;

import java.util.Objects;

/**
 * One result of a build check: the rule, BuildKit's detail message for it and where it is. The rule
 * gives the name, description and URL; the level is always BuildKit's warning level 1 (a check never
 * has another; {@code error=true} fails the build as a whole instead).
 *
 * @param rule     the rule that fired
 * @param detail   the message, as BuildKit formats it ({@code Stage name 'Foo' should be lowercase})
 * @param location the lines it is about; null for what has no line (a {@code --build-arg})
 */
public record Finding(CheckRule rule, String detail, Location location) {

    /** BuildKit's level of lint warnings in its progress stream and JSON. */
    public static final int LEVEL = 1;

    public Finding {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
    }

    public String ruleName() {
        return rule.ruleName();
    }

    public String description() {
        return rule.description();
    }

    public String url() {
        return rule.url();
    }

    /** The first line it is about, 0 when it has none. */
    public int line() {
        return location == null ? 0 : location.startLine();
    }

    /** buildx's short form, {@code Rule: message (line N)}, as in its end-of-build summary. */
    public String shortForm() {
        return rule.ruleName() + ": " + detail + (line() > 0 ? " (line " + line() + ")" : "");
    }

    /** {@code Dockerfile:3: Rule: message}, the CLI's {@code warning:} line. */
    @Override
    public String toString() {
        return (location == null ? "" : location.prefix() + ": ") + rule.ruleName() + ": " + detail;
    }
}
