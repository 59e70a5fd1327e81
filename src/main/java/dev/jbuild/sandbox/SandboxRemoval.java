package dev.jbuild.sandbox;

import dev.jbuild.store.StoreMaintenance;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Removal of the files of subordinate ids (rootless RUN's) for prune, reset and the collection after
 * builds: inside the user namespace, by a sandbox started only when a plain removal fails. The store
 * cannot start one itself (the sandbox is a package above it), so its callers pass this in.
 */
public final class SandboxRemoval {

    private SandboxRemoval() {}

    public static StoreMaintenance.OtherIdsRemoval inUserNamespace() {
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
