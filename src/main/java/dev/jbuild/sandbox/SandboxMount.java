package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerPaths;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An extra mount for one command ({@code RUN --mount}). Targets are container paths, resolved inside the
 * root filesystem (symlinks followed within it); a missing target is created for the run and removed again,
 * so it never shows up in the changes.
 *
 * <p>Host paths are held as absolute path text (each record has a constructor taking a {@link Path}): a
 * {@code Path} is not serializable, and the mounts go to the sandbox agent as they are ({@link AgentProtocol}).
 */
public sealed interface SandboxMount {

    String target();

    /** The {@code type=} a Dockerfile gives it, for messages. */
    String dockerfileType();

    /**
     * A host tree, or a path inside it, bound at {@code target}.
     *
     * @param sourceRoot the tree the source belongs to (the build context, another stage's rootfs), as
     *                   absolute path text; the source is resolved inside it, symlinks included, so it can
     *                   never name a host path outside it (Buildah CVE-2024-1753)
     * @param sourcePath the path inside {@code sourceRoot} ("" or "/" for the root itself)
     * @param readWrite  writable for the command; writes go to a throw-away layer and are discarded
     *                   (BuildKit's {@code rw}); read-only otherwise
     */
    record Bind(String sourceRoot, String sourcePath, String target, boolean readWrite) implements SandboxMount {
        public Bind {
            Objects.requireNonNull(sourceRoot, "sourceRoot");
            Objects.requireNonNull(sourcePath, "sourcePath");
            checkTarget(target);
        }

        public Bind(Path sourceRoot, String sourcePath, String target, boolean readWrite) {
            this(hostPath(sourceRoot, "sourceRoot"), sourcePath, target, readWrite);
        }

        @Override
        public String dockerfileType() {
            return "bind";
        }
    }

    /** A fresh tmpfs; {@code sizeBytes} 0 for the kernel default; {@code readOnly} as BuildKit's {@code ro}. */
    record Tmpfs(String target, long sizeBytes, boolean readOnly) implements SandboxMount {
        public Tmpfs {
            checkTarget(target);
            if (sizeBytes < 0) {
                throw new IllegalArgumentException("negative tmpfs size");
            }
        }

        /** A writable tmpfs. */
        public Tmpfs(String target, long sizeBytes) {
            this(target, sizeBytes, false);
        }

        @Override
        public String dockerfileType() {
            return "tmpfs";
        }
    }

    /**
     * A persistent cache directory. Its host directory is {@code cacheRoot/<sha256 of id>} ({@code cacheRoot}
     * as absolute path text), so no id (with
     * "..", "/" or anything else) can name another path; it is created on first use, owned by
     * {@code uid:gid} with {@code mode}; {@code readOnly} mounts it read-only (BuildKit's {@code ro}). Sharing
     * modes (shared/private/locked) are the caller's business.
     */
    record Cache(String cacheRoot, String id, String target, long uid, long gid, int mode, boolean readOnly)
            implements SandboxMount {
        public Cache {
            Objects.requireNonNull(cacheRoot, "cacheRoot");
            Objects.requireNonNull(id, "id");
            checkTarget(target);
            if ((mode & ~07777) != 0 || uid < 0 || gid < 0) {
                throw new IllegalArgumentException("invalid cache owner/mode");
            }
        }

        public Cache(Path cacheRoot, String id, String target, long uid, long gid, int mode, boolean readOnly) {
            this(hostPath(cacheRoot, "cacheRoot"), id, target, uid, gid, mode, readOnly);
        }

        /** A writable cache. */
        public Cache(Path cacheRoot, String id, String target, long uid, long gid, int mode) {
            this(cacheRoot, id, target, uid, gid, mode, false);
        }

        @Override
        public String dockerfileType() {
            return "cache";
        }
    }

    /**
     * A secret file, mounted read-only at {@code target} (by default {@code /run/secrets/<id>}) from a copy in
     * memory (tmpfs), owned by {@code uid:gid} with {@code mode} (0400 by default). Never part of the changes.
     * {@code source} is absolute path text.
     */
    record Secret(String source, String target, long uid, long gid, int mode) implements SandboxMount {
        public Secret {
            Objects.requireNonNull(source, "source");
            checkTarget(target);
            if ((mode & ~07777) != 0 || uid < 0 || gid < 0) {
                throw new IllegalArgumentException("invalid secret owner/mode");
            }
        }

        public Secret(Path source, String target, long uid, long gid, int mode) {
            this(hostPath(source, "source"), target, uid, gid, mode);
        }

        @Override
        public String dockerfileType() {
            return "secret";
        }

        /** {@code /run/secrets/<id>}, root-owned, mode 0400. */
        static Secret of(String id, Path source) {
            if (id.isEmpty() || id.contains("/") || id.equals(".") || id.equals("..")) {
                throw new IllegalArgumentException("invalid secret id: " + id);
            }
            return new Secret(source, "/run/secrets/" + id, 0, 0, 0400);
        }
    }

    /**
     * An SSH agent forwarded into the command: a socket owned by {@code uid:gid} with {@code mode} at
     * {@code target} (BuildKit's default {@code /run/buildkit/ssh_agent.N}) that forwards every connection to
     * {@code socket}, the user's agent (e.g. {@code $SSH_AUTH_SOCK}). The caller sets {@code SSH_AUTH_SOCK}
     * in the command's environment. Never part of the changes. {@code socket} is the path text as given (not
     * made absolute: a socket's path has at most 107 bytes); the agent gets the caller's forwarding socket
     * in its place.
     */
    record SshAgent(String socket, String target, long uid, long gid, int mode) implements SandboxMount {
        public SshAgent {
            Objects.requireNonNull(socket, "socket");
            checkTarget(target);
            if ((mode & ~07777) != 0 || uid < 0 || gid < 0) {
                throw new IllegalArgumentException("invalid ssh socket owner/mode");
            }
        }

        public SshAgent(Path socket, String target, long uid, long gid, int mode) {
            this(Objects.requireNonNull(socket, "socket").toString(), target, uid, gid, mode);
        }

        @Override
        public String dockerfileType() {
            return "ssh";
        }
    }

    private static String hostPath(Path p, String name) {
        return Objects.requireNonNull(p, name).toAbsolutePath().toString();
    }

    private static void checkTarget(String target) {
        Objects.requireNonNull(target, "target");
        if (!target.startsWith("/") || target.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("mount target must be an absolute container path: " + target);
        }
        if (LayerPaths.clean(target).isEmpty()) {
            throw new IllegalArgumentException("cannot mount over the container root");
        }
    }
}
