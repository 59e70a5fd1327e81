package dev.jbuild.sandbox;

import com.sun.security.auth.module.UnixSystem;
import dev.jbuild.layer.ByteProgress;
import dev.jbuild.layer.Compression;
import dev.jbuild.layer.ExtractResult;
import dev.jbuild.layer.LayerEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands in a root filesystem without root: the entry point of this package.
 *
 * <pre>{@code
 * Sandbox sandbox = Sandbox.open(SandboxOptions.defaults(workRoot));
 * try (RunResult r = sandbox.run(Rootfs.of(unpackedBase), ProcessSpec.of("/bin/sh", "-c", "make"), listener)) {
 *     if (r.exitCode() == 0) layerWriter.write(r.changes(), out);
 * }
 * }</pre>
 *
 * <p>A run happens in fresh user (unless jbuild is real root), mount, pid, uts, ipc and optionally network
 * namespaces, created with util-linux {@code unshare} and, for the id mapping, shadow-utils'
 * {@code newuidmap}/{@code newgidmap}. Container root is the caller; container ids 1..n are the caller's
 * subordinate ids. A small agent (this package's {@link SandboxAgent}, in a second JVM) works inside the
 * namespaces: one per sandbox, started on first need and reused by every run, unpack, probe and removal
 * (a JVM start costs far more than a run); one that dies is replaced by the next call. See docs/rootless.md.
 *
 * <p>Instances may be shared between threads; runs are independent and may run at the same time.
 * {@link #close()} ends the agent and whatever still runs in it.
 */
public final class Sandbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    /** A layer blob to unpack: the file and, optionally, the digests to verify. */
    public record LayerBlob(Path file, String digest, String diffId) {
        public LayerBlob {
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * Layers to unpack, in order, into {@code target}, a directory that will be stacked on {@code parents}
     * (top first; empty for a bottom one): directories the layers need but lack get their attributes from
     * there.
     */
    public record Unpack(Path target, List<LayerBlob> blobs, List<Path> parents) {
        public Unpack {
            Objects.requireNonNull(target, "target");
            blobs = List.copyOf(blobs);
            parents = List.copyOf(parents);
        }
    }

    private final SandboxOptions options;
    private final IdMapping mapping;
    private final Snapshotter snapshotter;
    private final Map<String, String> tools;
    private final List<String> warnings;
    /** The namespaces commands get ({@link ChrootSupport} names); all of them unless chroot isolation. */
    private final List<String> namespaces;
    private final AgentClient agent;

    private Sandbox(SandboxOptions options, IdMapping mapping, Snapshotter snapshotter, Map<String, String> tools,
            List<String> warnings, List<String> namespaces, AgentClient agent) {
        this.options = options;
        this.mapping = mapping;
        this.snapshotter = snapshotter;
        this.tools = tools;
        this.warnings = List.copyOf(warnings);
        this.namespaces = List.copyOf(namespaces);
        this.agent = agent;
    }

    /**
     * Checks that this machine can run sandboxed commands (tools, user namespaces, subordinate ids), decides
     * the snapshotter (probing overlayfs for {@link Snapshotter#AUTO}) and returns a ready sandbox.
     *
     * @throws SandboxException naming what is missing and how to fix it
     */
    public static Sandbox open(SandboxOptions options) throws SandboxException {
        if (options.isolation() == Isolation.CHROOT) {
            return openChroot(options);
        }
        List<String> warnings = new ArrayList<>();
        long uid = new UnixSystem().getUid();
        long gid = new UnixSystem().getGid();
        IdMapping mapping;
        try {
            mapping = IdMapping.detect(uid, gid, System.getProperty("user.name"), Path.of("/etc/subuid"),
                    Path.of("/etc/subgid"));
        } catch (IOException e) {
            throw new SandboxException("cannot read /etc/subuid or /etc/subgid: " + e.getMessage(), e);
        }
        Map<String, String> tools = HostTools.find(mapping);
        if (mapping.kind() == IdMapping.Kind.SUBORDINATE
                && (!tools.containsKey("newuidmap") || !tools.containsKey("newgidmap"))) {
            warnings.add("newuidmap/newgidmap not found (install the uidmap package): only container id 0 is"
                    + " available, steps that chown to other ids will fail");
            mapping = new IdMapping(IdMapping.Kind.SINGLE, uid, gid, 0, 0, 0, 0);
        } else if (mapping.kind() == IdMapping.Kind.SINGLE) {
            warnings.add("user " + System.getProperty("user.name") + " has no range in /etc/subuid and /etc/subgid:"
                    + " only container id 0 is available, steps that chown to other ids will fail (fix: sudo"
                    + " usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "
                    + System.getProperty("user.name") + ")");
        }
        warnIfNoCapabilityReader(tools, warnings);
        try {
            Files.createDirectories(options.workRoot());
        } catch (IOException e) {
            throw new SandboxException("cannot create " + options.workRoot() + ": " + e.getMessage(), e);
        }
        Preflight.userNamespaces(tools, mapping);
        Sandbox probe = new Sandbox(options, mapping, Snapshotter.COPY, tools, warnings, ChrootSupport.ALL,
                new AgentClient(options, mapping, tools, ChrootSupport.ALL));
        Snapshotter chosen = options.snapshotter();
        if (chosen != Snapshotter.COPY) {
            AgentProtocol.Response r;
            try {
                r = probe.probeOverlay();
            } catch (SandboxException e) {
                probe.close();
                throw e;
            }
            if (r.overlayWorks()) {
                chosen = Snapshotter.OVERLAY;
            } else if (chosen == Snapshotter.OVERLAY) {
                probe.close();
                throw new SandboxException("the overlay snapshotter does not work here: "
                        + String.join("; ", r.warnings()) + " (kernel 5.11+ is needed for overlayfs in a user"
                        + " namespace, and " + options.workRoot() + " must be on a filesystem overlayfs accepts as"
                        + " upper dir, e.g. ext4 or xfs, not overlayfs itself); use --snapshotter=copy");
            } else {
                chosen = Snapshotter.COPY;
                warnings.add("overlayfs unavailable (" + String.join("; ", r.warnings())
                        + "); using the copy snapshotter");
            }
        }
        // The probe's agent serves the build: one JVM start fewer.
        return new Sandbox(options, mapping, chosen, tools, warnings, ChrootSupport.ALL, probe.agent);
    }

    /** {@link Isolation#CHROOT}: real root, no user namespace, the copy snapshotter, the namespaces allowed. */
    private static Sandbox openChroot(SandboxOptions options) throws SandboxException {
        long uid = new UnixSystem().getUid();
        long gid = new UnixSystem().getGid();
        if (uid != 0) {
            throw new SandboxException("--isolation=chroot needs root (it is for root inside a container that forbids"
                    + " new namespaces); as user " + System.getProperty("user.name") + " use the default isolation,"
                    + " which runs RUN in a user namespace");
        }
        if (options.snapshotter() == Snapshotter.OVERLAY) {
            throw new SandboxException("--isolation=chroot uses the copy snapshotter; drop --snapshotter=overlay");
        }
        IdMapping mapping = new IdMapping(IdMapping.Kind.IDENTITY, 0, gid, 0, 0, 0, 0);
        Map<String, String> tools = HostTools.find(mapping);
        try {
            Files.createDirectories(options.workRoot());
        } catch (IOException e) {
            throw new SandboxException("cannot create " + options.workRoot() + ": " + e.getMessage(), e);
        }
        List<String> warnings = new ArrayList<>();
        warnIfNoCapabilityReader(tools, warnings);
        List<String> namespaces = ChrootSupport.probe(tools, options.workRoot(), warnings);
        return new Sandbox(options, mapping, Snapshotter.COPY, tools, warnings, namespaces,
                new AgentClient(options, mapping, tools, namespaces));
    }

    /** Without getfattr and setfattr capabilities are lost; said once per sandbox, not once per step. */
    private static void warnIfNoCapabilityReader(Map<String, String> tools, List<String> warnings) {
        if (!FileCapabilities.available(tools)) {
            warnings.add("getfattr/setfattr not found (install the attr package): file capabilities that RUN steps set"
                    + " (setcap) are not kept in their layers, nor set on the files of base layers");
        }
    }

    /** The snapshotter in use (never {@link Snapshotter#AUTO}). */
    Snapshotter snapshotter() {
        return snapshotter;
    }

    /** Things the caller should tell the user once (degraded id mapping, snapshotter fallback). */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Runs {@code spec} on top of {@code lower}, streaming its output to {@code output}, and returns its exit
     * code and changes. A command that fails (non-zero exit) is not an exception; the sandbox failing is.
     * Interrupting the calling thread kills the command.
     */
    public RunResult run(Rootfs lower, ProcessSpec spec, OutputListener output)
            throws SandboxException, InterruptedException {
        Path work = newWorkDir(options.workRoot(), "run-");
        boolean done = false;
        List<SocketProxy> proxies = new ArrayList<>();
        Path sockets = null;
        try {
            // The mounts go to the agent as they are, but for an SSH agent: the command gets the caller's
            // forwarding socket in place of the user's.
            List<SandboxMount> mounts = new ArrayList<>();
            for (SandboxMount m : spec.mounts()) {
                if (m instanceof SandboxMount.SshAgent a) {
                    if (sockets == null) {
                        // Short: a socket path has at most 107 bytes, and the work root may be deep.
                        sockets = Files.createTempDirectory("jbuild-ssh-");
                    }
                    SocketProxy proxy = new SocketProxy(Path.of(a.socket()),
                            sockets.resolve(Integer.toString(proxies.size())));
                    proxies.add(proxy);
                    mounts.add(new SandboxMount.SshAgent(proxy.path().toString(), a.target(), a.uid(), a.gid(),
                            a.mode()));
                    continue;
                }
                mounts.add(m);
            }
            List<String> lowers = new ArrayList<>();
            for (Path p : lower.layers()) {
                lowers.add(p.toAbsolutePath().toString());
            }
            if (spec.network() == Network.NONE && !namespaces.contains(ChrootSupport.NET)) {
                throw new SandboxException("--network=none needs a network namespace, which this container does not"
                        + " allow (--isolation=chroot)");
            }
            if (spec.shmSize() > 0 && !namespaces.contains(ChrootSupport.MOUNT)) {
                throw new SandboxException("--shm-size needs a mount namespace (for the /dev/shm tmpfs), which this"
                        + " container does not allow (--isolation=chroot)");
            }
            if (!spec.ulimits().isEmpty() && !tools.containsKey("prlimit")) {
                throw new SandboxException("--ulimit needs prlimit, which is not installed (Debian package util-linux)");
            }
            AgentProtocol.Request request = new AgentProtocol.Request("run", work.toString(), tools, mapping, lowers,
                    snapshotter.name(), spec.argv(), spec.env(), spec.cwd(), spec.uid(), spec.gid(), spec.groups(),
                    spec.hostname(), spec.network().name(), mounts, hostsFile(spec.hostname(), spec.extraHosts()), resolvConf(),
                    List.of(), null, namespaces, spec.ulimits(), spec.shmSize());
            long start = System.nanoTime();
            AgentProtocol.Response response = agent.call(request, work, output);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            List<LayerEntry> changes;
            try {
                changes = ChangesFile.read(work.resolve("changes.bin"));
            } catch (IOException e) {
                throw new SandboxException("unreadable changes from the sandbox agent (" + work.resolve("changes.bin")
                        + "): " + e, e);
            }
            List<Path> next = new ArrayList<>();
            for (String s : response.nextLowers()) {
                next.add(Path.of(s));
            }
            Map<String, Long> timings = new LinkedHashMap<>(response.timings());
            timings.put("total", elapsed.toMillis());
            RunResult result = new RunResult(this, work, response.exitCode(), changes, new Rootfs(next),
                    response.warnings(), timings, Optional.ofNullable(response.noSpaceLeft()));
            done = true;
            return result;
        } catch (IOException e) {
            throw e instanceof SandboxException s ? s : new SandboxException(e.getMessage(), e);
        } finally {
            proxies.forEach(SocketProxy::close);
            if (sockets != null) {
                try {
                    Files.deleteIfExists(sockets);
                } catch (IOException e) {
                    leftover(sockets, e);
                }
            }
            if (!done) {
                deleteQuietly(work);
            }
        }
    }

    /**
     * Unpacks layer blobs, in order, into {@code target} (created if missing) inside the user namespace, so
     * that files get their container owners (as subordinate ids on disk). The result is a one-directory
     * {@link Rootfs}; delete it with {@link #delete}.
     */
    List<ExtractResult> unpack(Path target, List<LayerBlob> blobs) throws SandboxException,
            InterruptedException {
        return unpackAll(List.of(new Unpack(target, blobs, List.of())));
    }

    /**
     * Like {@link #unpack}, for several directories at once: one agent for all of them (each agent
     * costs a JVM start), in list order, so a later directory may name an earlier one among its parents.
     * Results in the same order.
     */
    List<ExtractResult> unpackAll(List<Unpack> jobs) throws SandboxException, InterruptedException {
        return unpackAll(jobs, ByteProgress.NONE);
    }

    /**
     * Like {@link #unpackAll(List)}, telling {@code progress} how many compressed bytes of all the
     * blobs the agent has read (at most every 100 ms; the agent sends them as progress frames of this call).
     */
    public List<ExtractResult> unpackAll(List<Unpack> jobs, ByteProgress progress)
            throws SandboxException, InterruptedException {
        List<AgentProtocol.Blob> list = new ArrayList<>();
        for (Unpack job : jobs) {
            List<String> parents = job.parents().stream().map(p -> p.toAbsolutePath().toString()).toList();
            for (LayerBlob b : job.blobs()) {
                list.add(new AgentProtocol.Blob(b.file().toAbsolutePath().toString(), b.digest(), b.diffId(),
                        job.target().toAbsolutePath().toString(), parents));
            }
        }
        Path work = options.workRoot(); // nothing to keep per call: the answer comes over the pipe
        AgentProtocol.Request request = new AgentProtocol.Request("extract", work.toString(), tools, mapping,
                List.of(), null, List.of(), List.of(), "/", 0, 0, List.of(), "x", "HOST", List.of(), "", "", list,
                null, namespaces, List.of(), 0);
        AgentProtocol.Response response = agent.call(request, work, OutputListener.discard(), progress);
        List<ExtractResult> out = new ArrayList<>();
        for (AgentProtocol.Extracted x : response.extracted()) {
            out.add(new ExtractResult(x.digest(), x.diffId(), Compression.valueOf(x.compression()),
                    x.compressedSize(), x.uncompressedSize(), x.entries(), x.warnings()));
        }
        return out;
    }

    /**
     * Removes a tree that may hold files of any container id (a rootfs, a run's upper dir): in the agent,
     * which can, unless this process can itself (real root without a user namespace).
     */
    public void delete(Path tree) throws SandboxException {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (mapping.kind() == IdMapping.Kind.IDENTITY) {
            SandboxAgent.Exec.run(tools.get("rm"), "-rf", "--one-file-system", "--", tree.toAbsolutePath().toString());
            return;
        }
        Path work = options.workRoot();
        AgentProtocol.Request request = new AgentProtocol.Request("delete", work.toString(), tools, mapping,
                List.of(), null, List.of(), List.of(), "/", 0, 0, List.of(), "x", "HOST", List.of(), "", "",
                List.of(), tree.toAbsolutePath().toString(), namespaces, List.of(), 0);
        try {
            agent.call(request, work, OutputListener.discard());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted removing " + tree, e);
        }
    }

    void deleteQuietly(Path tree) {
        try {
            delete(tree);
        } catch (SandboxException e) {
            leftover(tree, e);
        }
    }

    /** A new directory in {@code workRoot}, for one call (or an agent). */
    static Path newWorkDir(Path workRoot, String prefix) throws SandboxException {
        try {
            return Files.createTempDirectory(workRoot, prefix).toRealPath();
        } catch (IOException e) {
            throw new SandboxException("cannot create a directory in " + workRoot + ": " + e.getMessage(), e);
        }
    }

    private AgentProtocol.Response probeOverlay() throws SandboxException {
        Path work = newWorkDir(options.workRoot(), "probe-");
        try {
            AgentProtocol.Request request = new AgentProtocol.Request("probe", work.toString(), tools, mapping,
                    List.of(), null, List.of(), List.of(), "/", 0, 0, List.of(), "x", "HOST", List.of(), "", "",
                    List.of(), null, namespaces, List.of(), 0);
            return agent.call(request, work, OutputListener.discard());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted", e);
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * Ends the agent, if one runs, and with it whatever it still runs: calls in progress fail. Later calls
     * fail too.
     */
    @Override
    public void close() {
        agent.close();
    }

    /** The agent's process id (outside the namespaces), starting the agent if none runs: for tests. */
    long agentPid() throws SandboxException {
        return agent.pid();
    }

    /** How many agents this sandbox has started so far: for tests. */
    int agentStarts() {
        return agent.starts();
    }

    static String hostsFile(String hostname, List<HostEntry> extra) {
        StringBuilder hosts = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t")
                .append(hostname).append('\n');
        extra.forEach(e -> hosts.append(e.line()));
        return hosts.toString();
    }

    /** The host's resolver configuration; systemd-resolved's stub address is useless in another netns. */
    static String resolvConf() {
        try {
            String conf = Files.readString(Path.of("/etc/resolv.conf"));
            Path upstream = Path.of("/run/systemd/resolve/resolv.conf");
            if (conf.contains("127.0.0.53") && Files.isReadable(upstream)) {
                return Files.readString(upstream);
            }
            return conf;
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * A scratch tree that could not be removed: the store's next command or {@code jbuild prune} removes it. Said in the
     * debug log, not on standard error, which belongs to the CLI or the API's caller; nothing when an interrupt (the
     * build being stopped) is why.
     */
    static void leftover(Path tree, Exception e) {
        if (!Thread.currentThread().isInterrupted() && !(e.getCause() instanceof InterruptedException)) {
            LOG.warn("could not remove {}: {}", tree, e.getMessage());
        }
    }
}
