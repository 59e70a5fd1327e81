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

    /** The refusal of a flag until it is implemented: {@code FLAG is not implemented yet (HINT)}, for the CLI's flags too. */
    public static InvalidBuildException notImplemented(String flag, String hint) {
        return new InvalidBuildException(flag + " is not implemented yet" + (hint.isEmpty() ? "" : " (" + hint + ")"));
    }
}
