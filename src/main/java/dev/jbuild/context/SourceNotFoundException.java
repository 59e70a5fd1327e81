package dev.jbuild.context;

import java.io.IOException;

/**
 * A {@code COPY}/{@code ADD} source that does not exist in its tree. The message is BuildKit's:
 * {@code "/the/cleaned/path": not found}.
 */
public final class SourceNotFoundException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String path;

    public SourceNotFoundException(String path) {
        super('"' + path + "\": not found");
        this.path = path;
    }

    /** The cleaned, absolute in-tree path that was looked for. */
    String path() {
        return path;
    }
}
