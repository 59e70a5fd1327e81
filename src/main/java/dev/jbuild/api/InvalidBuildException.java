package dev.jbuild.api;

import java.util.List;

/**
 * A bad option value or request ({@code --cache-from type=foo}, {@code --push} without a name); the message
 * is the CLI's usage error for the same flag.
 */
public final class InvalidBuildException extends JBuildException {

    private static final long serialVersionUID = 1L;

    public InvalidBuildException(String message) {
        super(message, List.of(message), null);
    }
}
