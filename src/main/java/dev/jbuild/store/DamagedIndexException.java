package dev.jbuild.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The store's {@code index.json} (its tags) cannot be read as an image index: garbage, an empty
 * file, a cut-off copy. Nothing in the store can be trusted to be named any more, so the store
 * does not open ({@link Store#open}, exit 125 in the CLI) and garbage collection, which would take
 * every blob for unreferenced, never runs on it. The message names the file and the remedies.
 */
final class DamagedIndexException extends IOException {

    private static final long serialVersionUID = 1L;

    DamagedIndexException(Path file, IOException cause) {
        super(file + ", where the store keeps its image names, is not valid JSON for an image index ("
                + cause.getMessage() + "); restore it from a backup, or remove the whole store with"
                + " `jbuild system reset`", cause);
    }
}
