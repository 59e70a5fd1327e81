package dev.jbuild.cli;

import dev.jbuild.sandbox.Sandbox;
import dev.jbuild.sandbox.SandboxOptions;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreMaintenance;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the user's store, turning a failure into an environment error (exit 125), and gives its
 * garbage collection the sandbox for files of other ids.
 */
final class Stores {

    private Stores() {}

    /** @param root the {@code --root} option, or null for the default location */
    static Store open(Path root) {
        Path location = root != null ? root : Store.defaultRoot();
        try {
            return Store.open(location);
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.ENVIRONMENT, "error: cannot open the image store at " + location
                    + ": " + e.getMessage() + " (use --root or JBUILD_ROOT to choose a writable directory)");
        }
    }

    /**
     * Removal of the files of subordinate ids (rootless RUN's) for prune, reset and the collection
     * after builds: inside the user namespace, by a sandbox started only when a plain removal fails.
     * The store cannot start one itself (the sandbox is a package above it), so the CLI wires it.
     */
    static StoreMaintenance.OtherIdsRemoval sandboxRemoval() {
        return scratch -> {
            Sandbox sandbox = Sandbox.open(SandboxOptions.defaults(scratch));
            return new StoreMaintenance.OtherIdsRemoval.Remover() {
                @Override
                public void delete(Path tree) throws IOException {
                    sandbox.delete(tree);
                }

                @Override
                public void close() {
                    sandbox.close();
                }
            };
        };
    }
}
