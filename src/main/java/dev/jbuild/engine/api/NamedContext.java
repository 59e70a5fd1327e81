package dev.jbuild.engine.api;

import dev.jbuild.attestation.Material;
import java.nio.file.Path;

/** A {@code --build-context NAME=VALUE}. */
public sealed interface NamedContext {

    /**
     * A directory: files for {@code COPY --from=NAME}. A local one, or a git checkout or download the
     * CLI fetched into one ({@code NAME=https://host/repo.git#ref}, {@code NAME=https://host/file}):
     * then {@code origin} is what provenance lists for it (the remote and its commit or content digest).
     */
    record Directory(Path path, Material origin) implements NamedContext {

        /** A local directory. */
        public Directory(Path path) {
            this(path, null);
        }
    }

    /** An image by name, from the store or its registry: {@code docker-image://alpine:3.19}. */
    record Image(String reference) implements NamedContext {}

    /** An image in an OCI layout directory: {@code oci-layout:///path[:tag|@digest]}. */
    record OciLayout(Path path, String reference) implements NamedContext {}
}
