package dev.jbuild.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The entry point of jbuild's Java API: {@code JBuild.build(dir).tag("registry/app:1").push(true).run()}
 * builds a Dockerfile as {@code jbuild build} does, on the same engine, without a daemon and without
 * printing anything. See docs/java-api.md.
 */
public final class JBuild {

    private JBuild() {}

    /** A build of the local directory {@code contextDir} (its {@code Dockerfile} unless {@link ImageBuild#dockerfile}). */
    public static ImageBuild build(Path contextDir) {
        return new ImageBuild(Objects.requireNonNull(contextDir, "contextDir").toString());
    }

    /**
     * A build of {@code context} as the CLI's {@code PATH} reads it: a directory, a git URL
     * ({@code https://host/repo.git#ref:dir}), an http(s) URL of a tarball or of a Dockerfile, or {@code -}
     * for a tar archive on {@link ImageBuild#standardInput}.
     */
    public static ImageBuild build(String context) {
        return new ImageBuild(Objects.requireNonNull(context, "context"));
    }
}
