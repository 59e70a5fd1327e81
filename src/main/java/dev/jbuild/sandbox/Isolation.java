package dev.jbuild.sandbox;

/** How a {@code RUN} command is isolated from the machine jbuild runs on. See docs/rootless.md. */
public enum Isolation {
    /**
     * New user (unless jbuild is real root), mount, pid, uts, ipc and optionally network namespaces, the
     * command chrooted inside a pivot_root'ed staging root. The default.
     */
    AUTO,
    /**
     * For real root inside a container that forbids new user namespaces (Kaniko's and Buildah's
     * Kubernetes case): no user namespace, ids are host ids; the command runs chrooted into a copy of the
     * root filesystem, in mount/pid/uts/ipc/net namespaces where the container allows them and in none
     * (with a warning, and fewer features) where it allows none. Always the copy snapshotter.
     */
    CHROOT
}
