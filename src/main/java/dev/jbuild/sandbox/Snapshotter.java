package dev.jbuild.sandbox;

/** How the root filesystem of a {@code RUN} is assembled and its changes found. */
public enum Snapshotter {
    /** {@link #OVERLAY} when a probe mount works, else {@link #COPY}. */
    AUTO,
    /** Kernel overlayfs mounted inside the user namespace ({@code userxattr}); the upper dir is the diff. */
    OVERLAY,
    /** The lower tree copied ({@code cp -a --reflink=auto}) to a fresh directory, diffed by metadata. */
    COPY
}
