package dev.jbuild.engine.api;

import java.nio.file.Path;

/** Where a finished image goes besides the store ({@code -o type=...}). */
public sealed interface OutputSpec {

    /** An OCI image layout in a tar ({@code type=oci}); {@code dest} null means standard output. */
    record OciArchive(Path dest) implements OutputSpec {}

    /** An archive {@code docker load} and {@code podman load} accept ({@code type=docker}). */
    record DockerArchive(Path dest) implements OutputSpec {}

    /** The root filesystem unpacked into a directory ({@code type=local}). */
    record LocalDirectory(Path dest) implements OutputSpec {}

    /** The root filesystem as one tar ({@code type=tar}); {@code dest} null means standard output. */
    record RootfsTar(Path dest) implements OutputSpec {}
}
