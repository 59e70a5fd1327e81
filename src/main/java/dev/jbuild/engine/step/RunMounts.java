package dev.jbuild.engine.step;

import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.InvalidMountException;
import dev.jbuild.dockerfile.RunMount;
import dev.jbuild.dockerfile.ShellExpansionException;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.sandbox.SandboxMount;
import java.nio.file.Path;
import java.util.Map;

/**
 * A RUN's {@code --mount}s for the build: typed with the stage's variables ({@link #of}, for the step's key
 * and for the step itself), then made into sandbox mounts ({@link #prepare}) from what the build has:
 * the context, named contexts and stages, the cache directory, secrets and SSH agents.
 */
final class RunMounts {

    /** What one mount needs from the build to become a sandbox mount. */
    interface Sources {
        /** A named secret's file on the host, or null when no {@code --secret} gave it. */
        Path secret(String id);

        /**
         * The host directory a bind mount's {@code source} is taken from: the context (as {@code .dockerignore}
         * leaves it), a named context directory, or a stage's or image's merged layers.
         */
        Path bindRoot(String from, String source);

        Path cacheRoot();

        /**
         * The cache directory id to mount for {@code id} under BuildKit's {@code sharing} mode:
         * {@code shared} as is, {@code locked} once no other build uses it, {@code private} as is
         * when free, else a fresh private cache. The caller holds the locks until the step ends.
         */
        default String cacheId(String id, RunMount.Sharing sharing) {
            return id;
        }

        /** The SSH agent socket forwarded under {@code id} with {@code --ssh}, or null. */
        default Path ssh(String id) {
            return null;
        }
    }

    private RunMounts() {}

    /** The {@code index}-th {@code --mount} of {@code run}, its values expanded in {@code scope}; errors point at its flag. */
    static RunMount of(BuildSession session, Instruction.Run run, int index, Map<String, String> scope)
            throws BuildException {
        try {
            return run.mounts().get(index).expand(word -> session.words().expand(word, scope));
        } catch (InvalidMountException e) {
            throw new BuildException(run.location(), e.getMessage(), e, run.node().positions().flag("mount", index));
        } catch (ShellExpansionException e) {
            // the CLI finds the word in the instruction for the caret (Dockerfile.caretFor)
            throw new BuildException(run.location(), e.getMessage(), e);
        }
    }

    /**
     * The sandbox mount for {@code mount}, or null for a secret or SSH agent that the build lacks and the mount
     * does not require (left out, as in BuildKit). {@code sshIndex}: how many SSH mounts the RUN had before
     * this one (names the default socket). IllegalArgumentException for what the build cannot mount.
     */
    static SandboxMount prepare(RunMount mount, String workdir, Sources sources, int sshIndex) {
        if (mount instanceof RunMount.Bind bind) {
            return new SandboxMount.Bind(sources.bindRoot(bind.from(), bind.source()), bind.source().isEmpty() ? "/" : bind.source(),
                    target(bind.target(), workdir), !bind.readOnly());
        }
        if (mount instanceof RunMount.Cache cache) {
            if (cache.from() != null) {
                throw new IllegalArgumentException("RUN --mount=type=cache,from=...: not implemented yet");
            }
            if (!cache.source().isEmpty()) {
                throw new IllegalArgumentException("RUN --mount=type=cache,source=...: not implemented yet");
            }
            String target = target(cache.target(), workdir);
            String id = sources.cacheId(cache.id() != null ? cache.id() : target, cache.sharing());
            RunMount.FileOwner owner = cache.owner();
            return new SandboxMount.Cache(sources.cacheRoot(), id, target, owner.uid(), owner.gid(), owner.mode(),
                    cache.readOnly());
        }
        if (mount instanceof RunMount.Tmpfs tmpfs) {
            return new SandboxMount.Tmpfs(target(tmpfs.target(), workdir), tmpfs.sizeBytes(), tmpfs.readOnly());
        }
        if (mount instanceof RunMount.Secret secret) {
            Path source = sources.secret(secret.id());
            if (source == null) {
                if (!secret.required()) {
                    return null;
                }
                throw new IllegalArgumentException("secret " + secret.id() + " not found: pass it with --secret id="
                        + secret.id() + ",src=FILE (or env=VARIABLE)");
            }
            if (secret.target() == null) {
                return null; // env= alone: a variable of the command (RunStep), no file
            }
            RunMount.FileOwner owner = secret.owner();
            return new SandboxMount.Secret(source, target(secret.target(), workdir), owner.uid(), owner.gid(),
                    owner.mode());
        }
        RunMount.Ssh ssh = (RunMount.Ssh) mount;
        Path socket = sources.ssh(ssh.id());
        if (socket == null) {
            if (!ssh.required()) {
                return null;
            }
            throw new IllegalArgumentException("no SSH agent with id " + ssh.id() + " was forwarded: pass --ssh "
                    + (ssh.id().equals("default") ? "default" : ssh.id() + "=SOCKET") + " (the agent socket, e.g."
                    + " $SSH_AUTH_SOCK)");
        }
        RunMount.FileOwner owner = ssh.owner();
        return new SandboxMount.SshAgent(socket, target(ssh.target(sshIndex), workdir), owner.uid(), owner.gid(),
                owner.mode());
    }

    /** A target relative to WORKDIR made absolute (not cleaned: a cache's default id is this text). */
    static String target(String target, String workdir) {
        String absolute = target.startsWith("/") ? target : workdir.endsWith("/") ? workdir + target : workdir + "/" + target;
        if (LayerPaths.clean(absolute).isEmpty()) {
            throw new IllegalArgumentException("invalid mount target " + '"' + "/" + '"'); // BuildKit's words
        }
        return absolute;
    }
}
