package dev.jbuild.layer;

import java.io.IOException;

/**
 * A layer could not be written or applied: corrupt, truncated or hostile input, or a digest that does not
 * match. The message names the layer (its digest when known) and what went wrong. When thrown while
 * extracting, the target root may be half-written; the caller decides whether to discard it.
 */
public class LayerException extends IOException {
    private static final long serialVersionUID = 1L;

    public LayerException(String message) {
        super(message);
    }

    public LayerException(String message, Throwable cause) {
        super(message, cause);
    }
}
