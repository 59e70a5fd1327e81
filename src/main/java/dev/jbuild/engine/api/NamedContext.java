package dev.jbuild.engine.api;

import java.nio.file.Path;

/** A {@code --build-context NAME=VALUE}. */
public sealed interface NamedContext {

    /** A local directory: files for {@code COPY --from=NAME}. */
    record Directory(Path path) implements NamedContext {}

    /** An image by name, from the store or its registry: {@code docker-image://alpine:3.19}. */
    record Image(String reference) implements NamedContext {}

    /** An image in an OCI layout directory: {@code oci-layout:///path[:tag|@digest]}. */
    record OciLayout(Path path, String reference) implements NamedContext {}
}
