package dev.jbuild.dockerfile;

/**
 * One {@code RUN --mount} after its words were expanded: what BuildKit's {@code instructions.Mount} holds,
 * split by type so each carries only what its type may have (BuildKit's {@code commands_runmount.go}
 * rules decide what that is; {@link MountFlag#expand} applies them). Defaults that need nothing but the
 * flag are filled in here (read-only, sharing, owner and mode, the secret's id and target, the SSH id);
 * a relative {@code target} is the build's to resolve against WORKDIR.
 */
public sealed interface RunMount {

    /** BuildKit's {@code /run/buildkit/ssh_agent.N}: where the N-th SSH mount of a RUN goes without a target. */
    String SSH_AGENT_TARGET = "/run/buildkit/ssh_agent.";

    /** The container path, as written (relative to WORKDIR unless absolute); null only for {@link Ssh}. */
    String target();

    /** The stage, named context or image this mount reads, or null for the build context (or nothing). */
    default String from() {
        return null;
    }

    /**
     * A tree (the context, or {@code from}) or a path in it bound at {@code target}.
     *
     * @param source   the path inside it, "" for all of it
     * @param readOnly false for {@code rw}: writes are allowed and thrown away
     */
    record Bind(String target, String from, String source, boolean readOnly) implements RunMount {
    }

    /**
     * A persistent cache directory.
     *
     * @param id     its name, or null for the target (resolved against WORKDIR)
     * @param from   BuildKit seeds the cache from there (not implemented yet)
     * @param source a path inside the cache (not implemented yet); "" for the whole cache
     * @param owner  of the directory when it is made: 0:0 and 0755 unless given
     */
    record Cache(String target, String id, Sharing sharing, String from, String source, boolean readOnly,
            FileOwner owner) implements RunMount {
    }

    /** A fresh tmpfs; {@code sizeBytes} 0 for the kernel's default. */
    record Tmpfs(String target, long sizeBytes, boolean readOnly) implements RunMount {
    }

    /**
     * A {@code --secret} as a file at {@code target} ({@code /run/secrets/<id>} unless given).
     *
     * @param id       its {@code source}, else its {@code id}, else the last element of {@code target}
     * @param target   the file, {@code /run/secrets/<id>} unless given; null for {@code env=} without {@code target=}
     * @param required fail when the build has no such secret (otherwise the mount is left out)
     * @param owner    0:0 and 0400 unless given
     * @param env      the variable of the command that holds the secret's value ({@code env=}), or null
     */
    record Secret(String id, String target, boolean required, FileOwner owner, String env) implements RunMount {
    }

    /**
     * An {@code --ssh} agent forwarded as a socket.
     *
     * @param id       {@code default} unless given
     * @param target   null for {@link #SSH_AGENT_TARGET} and the mount's number among the RUN's SSH mounts
     * @param required fail when the build forwards no such agent (otherwise the mount is left out)
     * @param owner    0:0 and 0600 unless given
     */
    record Ssh(String id, String target, boolean required, FileOwner owner) implements RunMount {

        /** The target, given that this is the RUN's {@code index}-th (0-based) SSH mount. */
        public String target(int index) {
            return target != null ? target : SSH_AGENT_TARGET + index;
        }
    }

    /** BuildKit's {@code sharing} of a cache between builds that use it at once. */
    enum Sharing {
        SHARED, PRIVATE, LOCKED;
    }

    /** The owner and permission bits of what a mount creates (a cache directory, a secret file, a socket). */
    record FileOwner(long uid, long gid, int mode) {
    }
}
