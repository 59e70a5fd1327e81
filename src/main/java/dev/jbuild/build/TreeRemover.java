package dev.jbuild.build;

import dev.jbuild.sandbox.Sandbox;
import dev.jbuild.sandbox.SandboxException;
import dev.jbuild.sandbox.SandboxOptions;
import dev.jbuild.store.FileTrees;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Removes trees of a store, including files owned by subordinate ids (what rootless RUN and
 * unpacking leave in {@code rootfs/}, {@code cache-mounts/} and scratch directories): those the
 * user can delete only inside the user namespace, so when a plain removal fails the tree goes
 * through the sandbox, which is opened once, on first need.
 */
final class TreeRemover implements AutoCloseable {

    private final Store store;
    private final Consumer<String> warnings;
    private Sandbox sandbox;
    private boolean sandboxFailed;
    private Path sandboxWork;

    TreeRemover(Store store, Consumer<String> warnings) {
        this.store = store;
        this.warnings = warnings;
    }

    /** The sandbox's own scratch directory, if one was opened (not to be removed while in use). */
    Path sandboxWork() {
        return sandboxWork;
    }

    /** Removes {@code tree}; false (with a warning) when it could not. */
    boolean delete(Path tree) {
        try {
            FileTrees.deleteTree(tree);
            return true;
        } catch (IOException e) {
            Sandbox box = sandbox();
            if (box == null) {
                warnings.accept("could not remove " + tree + ": " + e.getMessage());
                return false;
            }
            try {
                box.delete(tree);
                return true;
            } catch (SandboxException s) {
                warnings.accept("could not remove " + tree + ": " + s.getMessage());
                return false;
            }
        }
    }

    private Sandbox sandbox() {
        if (sandbox == null && !sandboxFailed) {
            try {
                sandboxWork = store.createTemporaryDirectory("prune");
                sandbox = Sandbox.open(SandboxOptions.defaults(sandboxWork));
            } catch (IOException e) {
                sandboxFailed = true;
                warnings.accept("cannot open the sandbox to remove files of other ids: " + e.getMessage());
            }
        }
        return sandbox;
    }

    /** Ends the sandbox's agent and removes its scratch directory. */
    @Override
    public void close() {
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
        if (sandboxWork != null) {
            try {
                FileTrees.deleteTree(sandboxWork);
            } catch (IOException e) {
                warnings.accept("could not remove " + sandboxWork + ": " + e.getMessage());
            }
            sandboxWork = null;
        }
    }
}
