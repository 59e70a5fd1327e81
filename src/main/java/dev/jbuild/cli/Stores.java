package dev.jbuild.cli;

import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the user's store, turning a failure into an environment error (exit 125).
 */
final class Stores {

    private Stores() {}

    /** @param root the {@code --root} option, or null for the default location */
    static Store open(Path root) {
        Path location = root != null ? root : Store.defaultRoot();
        try {
            return Store.open(location);
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.ENVIRONMENT, "error: " + Store.cannotOpen(location, e));
        }
    }

    /** For {@code system reset}: a store whose index.json is damaged opens too, since reset is the remedy. */
    static Store openForReset(Path location) {
        try {
            return Store.openForReset(location);
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.ENVIRONMENT, "error: " + Store.cannotOpen(location, e));
        }
    }
}
