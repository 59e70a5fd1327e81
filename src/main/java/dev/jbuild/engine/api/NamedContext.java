package dev.jbuild.engine.api;

import dev.jbuild.attestation.Material;
import dev.jbuild.context.DockerIgnore;
import java.nio.file.Path;

/** A {@code --build-context NAME=VALUE}. */
public sealed interface NamedContext {

    /**
     * A directory: files for {@code COPY --from=NAME}. A local one, or a git checkout or download the
     * CLI fetched into one ({@code NAME=https://host/repo.git#ref}, {@code NAME=https://host/file}):
     * then {@code origin} is what provenance lists for it (the remote and its commit or content digest).
     * {@code ignore} hides entries as the main context's {@code .dockerignore} does: a local directory's
     * own {@code .dockerignore} ({@link DockerIgnore#load DockerIgnore.load(dir, null)}, as BuildKit reads
     * a local named context's), {@link DockerIgnore#none()} for a fetched one.
     */
    record Directory(Path path, Material origin, DockerIgnore ignore) implements NamedContext {

        public Directory {
            ignore = ignore == null ? DockerIgnore.none() : ignore;
        }

        /** A local directory, without ignore rules. */
        public Directory(Path path) {
            this(path, null, DockerIgnore.none());
        }

        /** A directory with nothing ignored. */
        public Directory(Path path, Material origin) {
            this(path, origin, DockerIgnore.none());
        }
    }

    /** An image by name, from the store or its registry: {@code docker-image://alpine:3.19}. */
    record Image(String reference) implements NamedContext {}

    /** An image in an OCI layout directory: {@code oci-layout:///path[:tag|@digest]}. */
    record OciLayout(Path path, String reference) implements NamedContext {}
}
