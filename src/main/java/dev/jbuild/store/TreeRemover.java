package dev.jbuild.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Removes trees of a store for garbage collection, including files owned by subordinate ids (what
 * rootless RUN and unpacking leave in {@code rootfs/}, {@code cache-mounts/} and scratch
 * directories): a plain removal first, and when that fails, {@link StoreMaintenance.OtherIdsRemoval},
 * opened once, on first need, in a scratch directory of its own.
 */
final class TreeRemover implements AutoCloseable {

    private final Store store;
    private final StoreMaintenance.OtherIdsRemoval removal;
    private final Consumer<String> warnings;
    private StoreMaintenance.OtherIdsRemoval.Remover remover;
    private boolean openFailed;
    private Path scratch;

    TreeRemover(Store store, StoreMaintenance.OtherIdsRemoval removal, Consumer<String> warnings) {
        this.store = store;
        this.removal = removal;
        this.warnings = warnings;
    }

    /** The remover's own scratch directory, if one was made (not to be removed while in use). */
    Path scratch() {
        return scratch;
    }

    /** Removes {@code tree}; false (with a warning) when it could not. */
    boolean delete(Path tree) {
        try {
            FileTrees.deleteTree(tree);
            return true;
        } catch (IOException e) {
            StoreMaintenance.OtherIdsRemoval.Remover other = remover();
            if (other == null) {
                warnings.accept("could not remove " + tree + ": " + e.getMessage());
                return false;
            }
            try {
                other.delete(tree);
                return true;
            } catch (IOException s) {
                warnings.accept("could not remove " + tree + ": " + s.getMessage());
                return false;
            }
        }
    }

    private StoreMaintenance.OtherIdsRemoval.Remover remover() {
        if (remover == null && !openFailed) {
            try {
                scratch = store.createTemporaryDirectory("prune");
                remover = removal.open(scratch);
            } catch (IOException e) {
                openFailed = true;
                warnings.accept("cannot open the sandbox to remove files of other ids: " + e.getMessage());
            }
        }
        return remover;
    }

    /** Closes the remover (the sandbox's agent ends) and removes its scratch directory. */
    @Override
    public void close() {
        if (remover != null) {
            remover.close();
            remover = null;
        }
        if (scratch != null) {
            try {
                FileTrees.deleteTree(scratch);
            } catch (IOException e) {
                warnings.accept("could not remove " + scratch + ": " + e.getMessage());
            }
            scratch = null;
        }
    }
}
