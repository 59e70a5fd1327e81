package dev.jbuild.engine.step;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.SourceTree;
import dev.jbuild.dockerfile.Heredoc;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.dockerfile.RunMount;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.cache.CacheKey;
import dev.jbuild.engine.cache.CacheMountLocks;
import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.fs.Lower;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.engine.stage.RootfsLayers;
import dev.jbuild.engine.stage.StageSources;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.sandbox.Emulation;
import dev.jbuild.sandbox.Network;
import dev.jbuild.sandbox.OutputListener;
import dev.jbuild.sandbox.ProcessSpec;
import dev.jbuild.sandbox.ResourceLimit;
import dev.jbuild.sandbox.Rootfs;
import dev.jbuild.sandbox.RunResult;
import dev.jbuild.sandbox.SandboxException;
import dev.jbuild.sandbox.SandboxMount;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Pattern;

/**
 * One {@code RUN}: the process it starts (shell or exec form, heredocs, environment with the
 * stage's ARGs, USER, WORKDIR, network, mounts) run in the sandbox on the stage's root
 * filesystem; its changes become the step's layer.
 */
final class RunStep implements Step {

    /** Build args passed to RUN without an ARG, as BuildKit does; never written to the image. */
    private static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
            "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");
    private static final int FAILURE_TAIL_LINES = 20;

    private final StepContext context;
    private final Instruction.Run run;
    private final BuildSession session;
    private final ImageState state;
    private final RootfsLayers rootfs;
    private final StageSources sources;

    RunStep(StepContext context, Instruction.Run run) {
        this.context = context;
        this.run = run;
        this.session = context.session();
        this.state = context.state();
        this.rootfs = context.rootfs();
        this.sources = context.sources();
    }

    @Override
    public Instruction instruction() {
        return run;
    }

    @Override
    public boolean isVertex() {
        return true;
    }

    /**
     * The environment (ENV and ARGs), network, the run options of the request when given, and the mounts with
     * the content of bind-mount sources; null when a bind source cannot be read before the run.
     */
    @Override
    public String inputKey(String parent) throws BuildException, IOException {
        CacheKey key = StepKeys.common(context, parent, run);
        return key(key, state.expansionScope()) ? key.hex() : null;
    }

    /** RUN's own layer is its upper directory, which is on the overlay stack already. */
    @Override
    public boolean stacksForRun() {
        return false;
    }

    /**
     * Runs the step; the result stays open (its upper directory is the next step's lower).
     *
     * @param step the step this RUN is: its output lines are reported as this step's
     */
    @Override
    public List<LayerEntry> execute(StepId step) throws BuildException, IOException {
        Location at = run.location();
        checkPlatform(at, step);
        // Unpacked first: the user lookup below reads /etc/passwd and /etc/group from these directories, not by
        // streaming the base layer's blob (seconds for a distribution base).
        Rootfs lowers = lowersWhileIndexing(at, step);
        CacheMountLocks cacheLocks = new CacheMountLocks(session.cacheMountLocks());
        UserDatabase users = Ownership.database(session, state, lowers);
        UserDatabase.Ids ids;
        try {
            // No USER is root as passwd has it (its groups too), as runc resolves an empty user as "0".
            ids = state.user().isEmpty() ? users.resolve("0")
                    : Ownership.resolve(users, state.user(), Ownership.forRun(state.user()));
        } catch (IllegalArgumentException e) {
            throw new BuildException(at, e.getMessage(), e);
        }
        List<SandboxMount> mounts = new ArrayList<>();
        // Unique across the stages that run at once (System.nanoTime alone could repeat on two threads).
        Path scripts = session.scratchDir().resolve("heredocs-" + UUID.randomUUID());
        List<String> argv = argv(scripts, mounts);
        Optional<String> sshAuthSock;
        try {
            PreparedMounts prepared = mounts(step, cacheLocks);
            mounts.addAll(prepared.mounts());
            sshAuthSock = prepared.sshAuthSock();
        } catch (UncheckedIOException e) {
            cacheLocks.close();
            throw e.getCause();
        } catch (BuildException | IOException | RuntimeException e) {
            // Cache mount locks taken before the failing mount: other stages may be waiting for them.
            cacheLocks.close();
            throw e;
        }
        List<String> env = environment(users, ids);
        addSecretVariables(env);
        sshAuthSock.filter(target -> env.stream().noneMatch(v -> v.startsWith("SSH_AUTH_SOCK=")))
                .ifPresent(target -> env.add("SSH_AUTH_SOCK=" + target));
        ProcessSpec spec = new ProcessSpec(argv, env, state.workingDir(), ids.uid(), ids.gid(),
                ids.supplementaryGroups().stream().map(Integer::longValue).toList(), "jbuild", network(), mounts,
                session.request().extraHosts(), session.request().ulimits(), session.request().shmSize());

        Deque<String> tail = new ArrayDeque<>();
        OutputListener output = (stream, line) -> {
            session.listener().log(step, line);
            synchronized (tail) {
                tail.addLast(line);
                if (tail.size() > FAILURE_TAIL_LINES) {
                    tail.removeFirst();
                }
            }
        };
        RunResult result;
        try {
            result = rootfs.sandbox().run(lowers, spec, output);
        } catch (SandboxException e) {
            throw sandboxFailure(at, e, tail);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(at, "RUN interrupted", e);
        } finally {
            cacheLocks.close();
        }
        rootfs.keep(result);
        result.warnings().forEach(w -> session.listener().warning(at.prefix() + ": " + w));
        if (result.exitCode() != 0) {
            // BuildKit's text, with the full disk that made the command fail as its cause.
            StringBuilder message = new StringBuilder("RUN failed: ");
            message.append("process \"").append(String.join(" ", argv))
                    .append("\" did not complete successfully: exit code: ").append(result.exitCode());
            result.noSpaceLeft().ifPresent(path -> message.append(": ").append(noSpace(path)));
            throw new BuildException(at, withTail(message, tail));
        }
        state.lowers().clear();
        result.rootfs().layers().forEach(dir -> state.lowers().add(new Lower.Dir(dir)));
        return result.changes();
    }

    /**
     * {@link #lowers}, with the stage's tree indexed meanwhile in another thread when base layers are not in it
     * yet: indexing reads each such layer blob once, as the agent's unpack does, and both take seconds on a
     * distribution base. The user lookup and the step's commit need the index; they no longer wait for one
     * pass after the other.
     */
    private Rootfs lowersWhileIndexing(Location at, StepId step) throws BuildException, IOException {
        if (state.indexed()) {
            return lowers(at, step);
        }
        FutureTask<FsView> index = new FutureTask<>(state::fs);
        Thread indexer = new Thread(index, "run-index");
        indexer.setDaemon(true);
        indexer.start();
        Rootfs lowers;
        try {
            lowers = lowers(at, step);
        } catch (BuildException | IOException | RuntimeException e) {
            joinQuietly(indexer);
            // Both read the same blobs: a base that fails verification fails in both, and the index's
            // error names the layer's place in the image (the agent's names only the blob).
            Exception first = failure(index);
            if (first != null) {
                first.addSuppressed(e);
                rethrow(first);
            }
            throw e;
        }
        joinQuietly(indexer); // it holds the stage's tree until done; nothing may outlive the step
        Exception failed = failure(index);
        if (failed != null) {
            rethrow(failed);
        }
        return lowers;
    }

    /** What the finished {@code index} threw, or null (it is done, so {@code get} does not wait). */
    private static Exception failure(FutureTask<FsView> index) {
        try {
            index.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof Exception cause ? cause : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    private static void rethrow(Exception e) throws IOException {
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        throw new IOException(e);
    }

    private static void joinQuietly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The directories the RUN stands on, top first, unpacking what is not cached yet. */
    private Rootfs lowers(Location at, StepId step) throws BuildException, IOException {
        try {
            return new Rootfs(rootfs.materialise(step, state.lowers()));
        } catch (SandboxException e) {
            throw sandboxFailure(at, e, new ArrayDeque<>());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(at, "RUN interrupted", e);
        }
    }

    /**
     * A sandbox failure as the step's when it is a full disk (the sandbox works under the store's tmp/: that is
     * what was written when the error does not say), with the command's last lines; anything else is rethrown.
     */
    private BuildException sandboxFailure(Location at, SandboxException e, Deque<String> tail) throws SandboxException {
        Optional<NoSpaceLeftException> full = NoSpaceLeftException.of(e, session.store().temporaryDirectory());
        if (full.isEmpty()) {
            throw e;
        }
        return new BuildException(at, withTail(new StringBuilder("RUN failed: ").append(noSpace(full.get().path())), tail), e);
    }

    private boolean key(CacheKey key, Map<String, String> scope) throws BuildException, IOException {
        if ("insecure".equals(run.security())) {
            // Checked here, before any cache lookup, so that a record of the same command run in the
            // sandbox never stands in for it: the flag is refused, never accepted and ignored.
            throw new BuildException(run.location(), "RUN --security=insecure is not implemented yet (jbuild runs"
                    + " every RUN in its rootless sandbox; there is no security.insecure entitlement)");
        }
        key.put("env", state.variables());
        key.put("network", run.network() != null ? run.network() : session.request().network());
        if (!session.request().extraHosts().isEmpty()) {
            // Only when given, so that the keys of builds without --add-host stay what they were.
            key.put("extraHosts", session.request().extraHosts().stream().map(h -> h.address() + " " + h.name()).toList());
        }
        // --ulimit and --shm-size likewise (BuildKit keys both: they are part of its ExecOp).
        if (!session.request().ulimits().isEmpty()) {
            key.put("ulimits", session.request().ulimits().stream().map(ResourceLimit::toString).toList());
        }
        if (session.request().shmSize() > 0) {
            key.put("shmSize", session.request().shmSize());
        }
        for (int k = 0; k < run.mounts().size(); k++) {
            // The whole value expanded as one word: what keys held before mounts were typed, kept byte for
            // byte so existing cache records stay valid (the scope that expands it is in the key already).
            key.put("mount", session.expand(run.mounts().get(k).value(), scope, run.location()));
            RunMount mount = RunMounts.of(session, run, k, scope);
            if (mount instanceof RunMount.Secret secret) {
                key.put("secret-given", session.request().secrets().containsKey(secret.id()));
            } else if (mount instanceof RunMount.Bind bind) {
                // What the mount shows: the context (without its ignored files), a directory named context, or the
                // files of a stage or image; one walk keys them all (StepKeys.mounted).
                StageSources.Source source = bind.from() == null || bind.from().isEmpty() ? sources.context()
                        : sources.from(bind.from(), run.location());
                StepKeys.mounted(session, key, source.tree(), bind.source(), !source.keepOwnership());
            }
        }
        return true;
    }

    /**
     * The tree a bind mount from {@code from} shows when {@code .dockerignore} rules hide some of it: the main
     * context's, or a directory named context's own; null when the mount shows the directory as it is.
     */
    private SourceTree ignoringTree(String from) throws IOException {
        if (from == null || from.isEmpty()) {
            return session.request().ignore() != DockerIgnore.none() ? sources.context().tree() : null;
        }
        if (session.request().namedContexts().get(from) instanceof NamedContext.Directory directory
                && directory.ignore() != DockerIgnore.none()) {
            return BuildContexts.directory(directory.path(), directory.ignore());
        }
        return null;
    }

    /** A full disk, with the store it belongs to (where space must be made, or another JBUILD_ROOT chosen). */
    private String noSpace(String path) {
        return new NoSpaceLeftException(path, null).inStore(session.store().root()).getMessage();
    }

    private static String withTail(StringBuilder message, Deque<String> tail) {
        synchronized (tail) {
            if (!tail.isEmpty()) {
                message.append("\nlast output lines:");
                tail.forEach(line -> message.append("\n  ").append(line));
            }
        }
        return message.toString();
    }

    /**
     * The target's programs must run here: natively, or through a binfmt_misc emulator (qemu-user-static),
     * which needs nothing from the sandbox; otherwise the step fails with what the host needs. Build args such
     * as TARGETPLATFORM keep naming the target either way: emulation is invisible to the step.
     */
    private void checkPlatform(Location at, StepId step) throws BuildException {
        Platform target = context.platform().normalize();
        Platform host = Platform.host().normalize();
        if (!target.os().equals(host.os())) {
            throw new BuildException(at, "RUN for " + target + " cannot run on a " + host + " host: build on a "
                    + target.os() + " machine");
        }
        if (target.architecture().equals(host.architecture())) {
            return;
        }
        Emulation.Support support = Emulation.forHost(host.architecture(), session.scratchDir().resolve("elf-probe"))
                .support(target.architecture());
        if (support instanceof Emulation.Emulated emulated) {
            session.listener().log(step, "RUN for " + target + " through emulation (binfmt_misc " + emulated.handler() + ": "
                    + emulated.interpreter() + ")");
        } else if (support instanceof Emulation.Unavailable missing) {
            throw new BuildException(at, "RUN for " + target + " on a " + host + " host needs CPU emulation, and "
                    + missing.reason() + "; to fix, " + missing.fix() + " (see docs/rootless.md, \"RUN for other"
                    + " platforms\")");
        }
    }

    /**
     * The command line. A heredoc that is the whole command runs as a script file (so a {@code #!}
     * line picks the interpreter, as BuildKit does); other heredocs go to the shell with the command.
     */
    private List<String> argv(Path scripts, List<SandboxMount> mounts) throws IOException {
        if (run.command() instanceof Instruction.Command.Exec exec) {
            return exec.argv();
        }
        String script = ((Instruction.Command.Shell) run.command()).script();
        List<Heredoc> heredocs = run.node().heredocs();
        List<String> argv = new ArrayList<>(shell());
        if (heredocs.size() == 1 && script.strip().matches("<<-?[\"']?" + Pattern.quote(heredocs.get(0).name()) + "[\"']?")) {
            Heredoc heredoc = heredocs.get(0);
            String content = heredoc.content();
            if (content.startsWith("#!")) {
                Files.createDirectories(scripts);
                Path file = scripts.resolve(heredoc.name());
                Files.writeString(file, content);
                Files.setAttribute(file, "unix:mode", 0755);
                mounts.add(new SandboxMount.Bind(scripts, "/", "/dev/pipes", false));
                return List.of("/dev/pipes/" + heredoc.name());
            }
            argv.add(content);
            return argv;
        }
        StringBuilder full = new StringBuilder(script);
        for (Heredoc heredoc : heredocs) {
            full.append('\n').append(heredoc.content()).append(heredoc.name());
        }
        argv.add(full.toString());
        return argv;
    }

    private List<String> shell() {
        List<String> shell = state.runConfig().shell();
        return shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell;
    }

    /**
     * The secrets that mounts give the command as variables ({@code env=}), over a variable of the same name: read
     * from their files for this run only, so never part of a cache key, the image or its history. A secret the
     * build lacks is left out (one the mount requires failed with the mounts).
     */
    private void addSecretVariables(List<String> env) throws BuildException, IOException {
        Map<String, String> scope = state.expansionScope();
        for (int k = 0; k < run.mounts().size(); k++) {
            if (RunMounts.of(session, run, k, scope) instanceof RunMount.Secret secret && secret.env() != null) {
                Path file = session.request().secrets().get(secret.id());
                if (file != null) {
                    String value = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                    env.removeIf(variable -> variable.startsWith(secret.env() + "="));
                    env.add(secret.env() + "=" + value);
                }
            }
        }
    }

    /** The stage's variables (ENV and ARGs), the proxy build args for names they do not set; PATH and HOME defaults. */
    private List<String> environment(UserDatabase users, UserDatabase.Ids ids) {
        Map<String, String> env = state.variables();
        session.request().plan().buildArgs().forEach((name, value) -> {
            if (PROXY_ARGS.contains(name)) {
                env.putIfAbsent(name, value);
            }
        });
        env.putIfAbsent("PATH", ProcessSpec.DEFAULT_PATH);
        // runc's default for a user passwd does not list, root included: BuildKit sets no HOME of its own.
        env.putIfAbsent("HOME", users.home(ids.uid()).orElse("/"));
        List<String> list = new ArrayList<>();
        env.forEach((k, v) -> list.add(k + "=" + v));
        return list;
    }

    private Network network() {
        String mode = run.network() != null ? run.network() : session.request().network();
        return mode == null || mode.equals("default") || mode.equals("host") ? Network.HOST : Network.valueOf(mode.toUpperCase(Locale.ROOT));
    }

    /**
     * The RUN's mounts as the sandbox makes them, and where its first ssh mount is, for SSH_AUTH_SOCK: BuildKit sets it
     * from the instruction, so also when no agent was forwarded for an optional mount (then nothing is there).
     */
    private record PreparedMounts(List<SandboxMount> mounts, Optional<String> sshAuthSock) {}

    private PreparedMounts mounts(StepId step, CacheMountLocks cacheLocks) throws BuildException, IOException {
        List<SandboxMount> mounts = new ArrayList<>();
        if (context.cacheLookups()) {
            Files.createDirectories(session.store().root().resolve("cache-mounts"));
        }
        RunMounts.Sources sources = new RunMounts.Sources() {
            @Override
            public Path secret(String id) {
                return session.request().secrets().get(id);
            }

            @Override
            public Path bindRoot(String from, String source) {
                NamedContext named = from == null || from.isEmpty() ? null : session.request().namedContexts().get(from);
                if (named instanceof NamedContext.Directory directory && directory.origin() != null) {
                    session.materials().fetched(directory.origin());
                }
                try {
                    SourceTree filtered = ignoringTree(from);
                    if (filtered != null) {
                        // What .dockerignore leaves of the directory, as COPY sees it (BuildKit mounts what it was sent).
                        Path view = session.scratchDir().resolve("bind-context-" + UUID.randomUUID());
                        ContextView.write(filtered, source, view);
                        return view.toAbsolutePath();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (from == null || from.isEmpty()) {
                    return session.request().contextDir().toAbsolutePath();
                }
                if (named instanceof NamedContext.Directory directory) {
                    return directory.path().toAbsolutePath();
                }
                // A stage or an image: its layers merged into one directory (cached in the store).
                try {
                    ImageState image = RunStep.this.sources.image(from, run.location()).orElseThrow();
                    return rootfs.merged(step, image.layers());
                } catch (BuildException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalArgumentException("interrupted", e);
                }
            }

            @Override
            public Path cacheRoot() {
                // BuildKit's --no-cache gives cache mounts a new, empty directory for the build (their base is
                // an ignored-cache vertex); the store's cache mounts stay for builds that use the cache.
                return context.cacheLookups() ? session.store().root().resolve("cache-mounts").toAbsolutePath()
                        : rootfs.uncachedCacheMounts();
            }

            @Override
            public String cacheId(String id, RunMount.Sharing sharing) {
                return cacheLocks.acquire(cacheRoot(), id, sharing);
            }

            @Override
            public Path ssh(String id) {
                return session.request().sshSockets().get(id);
            }
        };
        int sshIndex = 0;
        Optional<String> sshAuthSock = Optional.empty();
        Map<String, String> scope = state.expansionScope();
        for (int k = 0; k < run.mounts().size(); k++) {
            RunMount mount = RunMounts.of(session, run, k, scope);
            try {
                SandboxMount prepared = RunMounts.prepare(mount, state.workingDir(), sources, sshIndex);
                if (prepared != null) {
                    mounts.add(prepared);
                }
            } catch (IllegalArgumentException e) {
                throw new BuildException(run.location(), e.getMessage(), e, run.node().positions().flag("mount", k));
            }
            if (mount instanceof RunMount.Ssh ssh) {
                if (sshIndex == 0) {
                    sshAuthSock = Optional.of(RunMounts.target(ssh.target(0), state.workingDir()));
                }
                sshIndex++; // a left-out agent keeps its number, as BuildKit numbers the sockets it is given
            }
        }
        return new PreparedMounts(mounts, sshAuthSock);
    }
}
