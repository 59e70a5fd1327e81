package dev.jbuild.sandbox;

import dev.jbuild.image.Digest;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.DeviceKind;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.RawNames;
import dev.jbuild.layer.ShellScript;
import dev.jbuild.store.FileTrees;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** One command run, inside the agent: assemble the rootfs, start the command, diff. */
final class RunOperation {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /**
     * A mount point we had to create, to be removed afterwards with its parent's mtime put back. An
     * {@code owned} one (content copied in, device nodes, generated files: chroot isolation without a
     * mount namespace) is removed whatever the command did to it.
     */
    private record Created(String rel, boolean directory, FileTime parentBefore, FileTime parentAfter,
            boolean owned) {
        Created(String rel, boolean directory, FileTime parentBefore, FileTime parentAfter) {
            this(rel, directory, parentBefore, parentAfter, false);
        }
    }

    /** An image file set aside while a generated one stands in its place (chroot without a mount namespace). */
    private record Swapped(String rel, Path saved, FileTime parentBefore, FileTime parentAfter) {
    }

    private final AgentProtocol.Request r;
    private final Map<String, String> tools;
    private final Path work;
    private final Path merged;
    private final List<Path> lowers = new ArrayList<>();
    private final boolean overlay;
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private final List<Created> created = new ArrayList<>();
    private final List<Swapped> swapped = new ArrayList<>();
    /** Chroot isolation in a container that allows no mount namespace: no mounts, no pivot_root. */
    private final boolean bare;
    /** Copy snapshotter: path → {inode, ctime} right after the copy. */
    private final Map<String, long[]> index = new HashMap<>();
    private Path top; // the upper dir or the copy
    private long mark = System.nanoTime();
    private final SandboxAgent.Output output;
    /**
     * What this run mounted in the agent's own mount namespace (the overlay, the secrets' tmpfs), innermost
     * last: the agent outlives the run, so they are unmounted whatever happens ({@link #unmountAll}).
     */
    private final List<Path> agentMounts = new ArrayList<>();

    private final SandboxAgent.StagingSupplier stagingSupplier;

    RunOperation(AgentProtocol.Request request, SandboxAgent.Output output,
            SandboxAgent.StagingSupplier stagingSupplier) {
        this.r = request;
        this.output = output;
        this.stagingSupplier = stagingSupplier;
        this.tools = request.tools();
        this.work = Path.of(request.workDir());
        this.merged = work.resolve("merged");
        for (String l : request.lowers()) {
            lowers.add(Path.of(l));
        }
        this.overlay = "OVERLAY".equals(request.snapshotter());
        this.bare = !request.namespaces().contains(ChrootSupport.MOUNT);
    }

    AgentProtocol.Response run() throws IOException {
        try {
            return runMounted();
        } finally {
            unmountAll();
        }
    }

    /**
     * Unmounts what {@link #agentMounts} holds. A cancelled run's interrupt is put aside meanwhile: the
     * unmounts must happen, or the agent would keep them until it exits.
     */
    private void unmountAll() throws SandboxException {
        boolean interrupted = Thread.interrupted();
        try {
            SandboxException first = null;
            for (int i = agentMounts.size() - 1; i >= 0; i--) {
                try {
                    SandboxAgent.Exec.run(tools.get("umount"), agentMounts.get(i).toString());
                } catch (SandboxException e) {
                    try {
                        // Busy (a process of the command we could not kill yet?): detach it, it goes when unused.
                        SandboxAgent.Exec.run(tools.get("umount"), "-l", agentMounts.get(i).toString());
                    } catch (SandboxException lazy) {
                        first = first == null ? e : first;
                    }
                }
            }
            agentMounts.clear();
            if (first != null) {
                throw first;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private AgentProtocol.Response runMounted() throws IOException {
        ResourceLimits.check(r.ulimits(), r.mapping()); // before any work: a limit we cannot set fails the step
        Files.createDirectories(merged);
        LayerStack lower = new LayerStack(lowers);
        prepareRootfs(lower);
        lap("rootfs");
        String script = bare ? prepareBareRun() : prepareRun();
        lap("mounts");
        int exit;
        try {
            exit = startCommand(script);
        } finally {
            restoreSwapped();
        }
        lap("command");
        boolean started = Files.exists(work.resolve("started"));
        if (!started) {
            String log = readSetupLog();
            throw new SandboxException("the sandbox could not start the command" + (log.isEmpty() ? "" : ": " + log));
        }
        unmountAll();
        removeCreatedMountpoints();
        // A command that failed on a full disk failed for lack of space where its writes go (its output says
        // what it was writing); the diff below is then likely to fail for the same reason.
        String noSpaceLeft = exit != 0 && NoSpaceLeftException.nearlyFull(top) ? top.toString() : null;
        List<LayerEntry> entries;
        try {
            entries = diff(lower);
        } catch (IOException e) {
            java.util.Optional<NoSpaceLeftException> full = NoSpaceLeftException.of(e, work);
            if (full.isPresent() && noSpaceLeft != null) {
                throw new NoSpaceLeftException(noSpaceLeft, e);
            }
            throw full.<IOException>map(n -> n).orElse(e);
        }
        lap("diff");
        List<String> next = new ArrayList<>();
        next.add(top.toString());
        if (overlay) {
            for (Path l : lowers) {
                next.add(l.toString());
            }
        }
        return new AgentProtocol.Response(true, null, true, exit, next, warnings, timings, List.of(), false,
                noSpaceLeft);
    }

    private void lap(String phase) {
        long now = System.nanoTime();
        timings.put(phase, (now - mark) / 1_000_000);
        mark = now;
    }

    // ---- rootfs ------------------------------------------------------------------------------------------

    private void prepareRootfs(LayerStack lower) throws IOException {
        LayerStack.Node root = lower.lookup("").orElseThrow(
                () -> new SandboxException("the lower rootfs " + lowers.get(0) + " does not exist"));
        if (overlay) {
            top = Files.createDirectories(work.resolve("upper"));
            Path ovlWork = Files.createDirectories(work.resolve("ovlwork"));
            copyRootAttributes(root, top);
            SandboxAgent.Exec.run(tools.get("mount"), "-t", "overlay", "overlay", "-o",
                    SandboxAgent.OverlayOptions.of(lowers, top, ovlWork), merged.toString());
            agentMounts.add(merged);
        } else {
            top = merged;
            for (int i = lowers.size() - 1; i >= 0; i--) {
                copyLayer(lowers.get(i), merged, i == lowers.size() - 1);
            }
            copyRootAttributes(root, merged);
            indexTree(merged, "");
        }
    }

    private static void copyRootAttributes(LayerStack.Node from, Path to) throws IOException {
        Files.setAttribute(to, "unix:uid", (int) from.uid(), NOFOLLOW);
        Files.setAttribute(to, "unix:gid", (int) from.gid(), NOFOLLOW);
        Files.setAttribute(to, "unix:mode", from.mode(), NOFOLLOW);
        SandboxAgent.setMtime(to, from.mtime());
    }

    /** Applies one overlay-format layer onto the copy with {@code cp -a}, honouring whiteouts and opaque dirs. */
    private void copyLayer(Path layer, Path target, boolean first) throws IOException {
        List<String> whiteouts = new ArrayList<>();
        if (!first) {
            prepareForLayer(layer, target, "", whiteouts);
        }
        SandboxAgent.Exec.run(tools.get("cp"), "-a", "--reflink=auto", "--", layer + "/.", target + "/");
        for (String w : whiteouts) {
            Files.deleteIfExists(RawNames.child(target, w));
        }
        dropOverlayXattrs(target, layer, "");
    }

    private void prepareForLayer(Path layer, Path target, String rel, List<String> whiteouts) throws IOException {
        Path dir = RawNames.child(layer, rel);
        for (String name : LayerStack.names(dir)) {
            String childRel = LayerPaths.join(rel, name);
            Path src = RawNames.child(layer, childRel);
            Path dst = RawNames.child(target, childRel);
            LayerStack.Node node = new LayerStack.Node(src, LayerStack.lstat(src));
            Map<String, Object> existing = LayerStack.lstat(dst);
            if (LayerStack.isWhiteout(node)) {
                deleteTree(dst);
                whiteouts.add(childRel);
                continue;
            }
            if (node.isDirectory()) {
                if (existing != null && ((Integer) existing.get("mode") & LayerStack.S_IFMT) != LayerStack.S_IFDIR) {
                    deleteTree(dst);
                } else if (existing != null && LayerStack.isOpaque(src)) {
                    for (String n : LayerStack.names(dst)) {
                        deleteTree(RawNames.child(dst, n));
                    }
                }
                prepareForLayer(layer, target, childRel, whiteouts);
            } else if (existing != null && ((Integer) existing.get("mode") & LayerStack.S_IFMT) == LayerStack.S_IFDIR) {
                deleteTree(dst);
            }
        }
    }

    private static void dropOverlayXattrs(Path target, Path layer, String rel) throws IOException {
        Path dir = RawNames.child(layer, rel);
        for (String name : LayerStack.names(dir)) {
            String childRel = LayerPaths.join(rel, name);
            Path dst = RawNames.child(target, childRel);
            if (!Files.isRegularFile(dst, NOFOLLOW) && !Files.isDirectory(dst, NOFOLLOW)) {
                continue; // only these have xattrs, and opening a FIFO to look would block
            }
            SandboxAgent.dropOverlayXattrs(dst);
            if (Files.isDirectory(dst, NOFOLLOW) && Files.isDirectory(RawNames.child(layer, childRel), NOFOLLOW)) {
                dropOverlayXattrs(target, layer, childRel);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        Map<String, Object> a = LayerStack.lstat(p);
        if (a == null) {
            return;
        }
        if (((Integer) a.get("mode") & LayerStack.S_IFMT) == LayerStack.S_IFDIR) {
            for (String n : LayerStack.names(p)) {
                deleteTree(RawNames.child(p, n));
            }
        }
        Files.delete(p);
    }

    private void indexTree(Path dir, String rel) throws IOException {
        Map<String, Object> a = LayerStack.lstat(RawNames.child(dir, rel));
        LayerStack.Node n = new LayerStack.Node(RawNames.child(dir, rel), a);
        index.put(rel, new long[] {n.ino(), nanos(n.ctime())});
        if (n.isDirectory()) {
            for (String name : LayerStack.names(n.path())) {
                indexTree(dir, LayerPaths.join(rel, name));
            }
        }
    }

    private static long nanos(FileTime t) {
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    // ---- mounts and the script ---------------------------------------------------------------------------

    private String prepareRun() throws IOException {
        Script s = new Script();
        String m = merged.toString();
        String proc = ensure("proc", true);
        String dev = ensure("dev", true);
        String hosts = ensure("etc/hosts", false);
        String resolv = ensure("etc/resolv.conf", false);
        String hostname = ensure("etc/hostname", false);
        Path etc = Files.createDirectories(work.resolve("etc"));
        Files.writeString(etc.resolve("hosts"), r.hosts());
        Files.writeString(etc.resolve("resolv.conf"), r.resolvConf());
        Files.writeString(etc.resolve("hostname"), r.hostname() + "\n");
        for (String f : List.of("hosts", "resolv.conf", "hostname")) {
            Files.setAttribute(etc.resolve(f), "unix:mode", 0644);
        }
        // The staging root and the /dev template are the agent's, made once ({@link SandboxAgent.Staging}).
        SandboxAgent.Staging staging = stagingSupplier.get(tools);

        // The working directory is created like runc does, and stays (it is part of the changes).
        String cwd = workingDirectory();

        // The mounts every run needs go in two fstab files, each mounted by one `mount -a` (a process per
        // mount cost more than the command itself): the root's /proc and a fresh /dev tmpfs; then, once the
        // template's names are copied in, the device nodes, /dev/shm and the generated /etc files.
        Fstab first = new Fstab();
        first.add("proc", proc, "proc", "nosuid,nodev,noexec");
        first.add("tmpfs", dev, "tmpfs", "nosuid,noexec,mode=755,size=65536k");
        Fstab second = new Fstab();
        for (String d : SandboxAgent.Staging.DEVICES) {
            second.add("/dev/" + d, dev + "/" + d, "none", "bind");
        }
        // Without --shm-size, tmpfs's default size (half of the RAM), as before; BuildKit's is 64 MiB.
        second.add("shm", dev + "/shm", "tmpfs", "nosuid,nodev,noexec,mode=1777"
                + (r.shmSize() > 0 ? ",size=" + r.shmSize() : ""));
        second.add(etc.resolve("hosts").toString(), hosts, "none", "bind");
        second.add(etc.resolve("resolv.conf").toString(), resolv, "none", "bind");
        second.add(etc.resolve("hostname").toString(), hostname, "none", "bind");
        Path fstab1 = first.write(work.resolve("fstab.1"));
        Path fstab2 = second.write(work.resolve("fstab.2"));

        s.line("set -eu");
        s.line("exec 3>&2 2>" + Script.q(work.resolve("setup.log").toString()));
        s.line("M=" + Script.q(m));
        s.line("S=" + Script.q(staging.root().toString()));
        s.line(mount() + " -a -T " + Script.q(fstab1.toString()));
        s.line(Script.q(tools.get("cp")) + " -a " + Script.q(staging.devTemplate() + "/.") + " " + Script.q(dev + "/"));
        s.line(mount() + " -a -T " + Script.q(fstab2.toString()));
        // Not every kernel or container allows a new devpts instance: /dev/pts then stays empty, as before.
        s.line(mount() + " -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts " + Script.q(dev + "/pts")
                + " || true");
        extraMounts(s);
        if (r.namespaces().contains(ChrootSupport.UTS)) {
            s.line("printf %s " + Script.q(r.hostname()) + " > /proc/sys/kernel/hostname 2>/dev/null || "
                    + Script.q(tools.get("hostname")) + " " + Script.q(r.hostname()));
        }
        if ("NONE".equals(r.network()) && r.namespaces().contains(ChrootSupport.NET) && tools.containsKey("ip")) {
            s.line(Script.q(tools.get("ip")) + " link set lo up || true");
        }
        // pivot_root into the staging root (the host's programs, read-only, and the rootfs at /root), so that
        // neither the command nor anything it gets our tools to load can reach the host's files. Its /proc is
        // a link to the rootfs's, this run's.
        s.line(mount() + " --rbind \"$M\" \"$S/root\"");
        s.line(": > " + Script.q(work.resolve("started").toString()));
        s.line("cd \"$S\"");
        s.line(Script.q(tools.get("pivot_root")) + " . .old");
        s.line(Script.q(tools.get("umount")) + " -l /.old");
        s.line("exec 2>&3 3>&-");
        s.line(execLine("/root"));
        Path file = work.resolve("run.sh");
        Files.write(file, RawNames.encode(s.toString())); // the names in it as their bytes
        return file.toString();
    }

    /**
     * An fstab for {@code mount -a -T}: one process for many mounts, in order. Fields are escaped as
     * libmount reads them back (octal for blanks and backslashes); the file holds names as their bytes.
     */
    static final class Fstab {
        private final StringBuilder b = new StringBuilder();

        void add(String source, String target, String type, String options) {
            b.append(escape(source)).append(' ').append(escape(target)).append(' ').append(type).append(' ')
                    .append(options).append(" 0 0\n");
        }

        Path write(Path file) throws IOException {
            Files.write(file, RawNames.encode(b.toString()));
            return file;
        }

        static String escape(String field) {
            StringBuilder out = new StringBuilder();
            for (char c : field.toCharArray()) {
                switch (c) {
                    case ' ' -> out.append("\\040");
                    case '\t' -> out.append("\\011");
                    case '\n' -> out.append("\\012");
                    case '\\' -> out.append("\\134");
                    default -> out.append(c);
                }
            }
            return out.toString();
        }
    }

    private String mount() {
        return Script.q(tools.get("mount"));
    }

    private String execLine(String root) throws SandboxException {
        List<String> w = new ArrayList<>();
        // --ulimit: the first program of the exec chain sets them on itself, so the set-up before (the shell
        // that needs descriptors of its own, mount, pivot_root) keeps jbuild's and everything after inherits
        // them, as runc sets them just before it execs the process. What prlimit could refuse was checked
        // before the run (ResourceLimits.check).
        w.addAll(ResourceLimits.prlimitCommand(tools.get("prlimit"), r.ulimits()));
        w.add(tools.get("env"));
        w.add("-i");
        w.add("--");
        boolean hasPath = false;
        for (String e : r.env()) {
            hasPath |= e.startsWith("PATH=");
            w.add(e);
        }
        if (!hasPath) {
            w.add("PATH=" + ProcessSpec.DEFAULT_PATH);
        }
        IdMapping map = r.mapping();
        if (r.uid() > map.maxUid() || r.gid() > map.maxGid()
                || r.groups().stream().anyMatch(g -> g > map.maxGid())) {
            throw new SandboxException(idProblem("run as " + r.uid() + ":" + r.gid()
                    + (r.groups().isEmpty() ? "" : " with groups " + r.groups()), map));
        }
        if (!r.namespaces().contains(ChrootSupport.UNSHARE_ROOT)) {
            // The unshare system call is refused (a container's seccomp profile): coreutils chroot, which
            // always starts in /, so a shell of the image changes to the working directory.
            // An empty --groups= clears the supplementary groups (without it, chroot looks the uid up in the
            // host's user database).
            String groups = String.join(",", r.groups().stream().map(String::valueOf).toList());
            w.add(tools.getOrDefault("chroot", "chroot"));
            w.add("--userspec=" + r.uid() + ":" + r.gid());
            w.add("--groups=" + groups);
            w.add("--");
            w.add(root);
            if (!LayerPaths.clean(r.cwd()).isEmpty()) {
                w.addAll(List.of("/bin/sh", "-c", "cd -- \"$0\" && exec \"$@\"", r.cwd()));
            }
            w.addAll(r.argv());
            return exec(w);
        }
        if (map.kind() != IdMapping.Kind.SINGLE) {
            w.add(tools.get("setpriv"));
            w.add("--regid=" + r.gid());
            if (r.groups().isEmpty()) {
                w.add("--clear-groups");
            } else {
                List<String> g = new ArrayList<>();
                for (Long id : r.groups()) {
                    g.add(id.toString());
                }
                w.add("--groups=" + String.join(",", g));
            }
            w.add("--");
        }
        w.add(tools.get("unshare"));
        w.add("--root=" + root);
        w.add("--wd=" + r.cwd());
        if (r.uid() != 0) {
            w.add("--setuid=" + r.uid());
        }
        w.add("--");
        w.addAll(r.argv());
        return exec(w);
    }

    private static String exec(List<String> w) {
        StringBuilder b = new StringBuilder("exec");
        for (String s : w) {
            b.append(' ').append(Script.q(s));
        }
        return b.toString();
    }

    static String idProblem(String what, IdMapping map) {
        if (map.kind() == IdMapping.Kind.SINGLE) {
            return "cannot " + what + ": only container id 0 exists because the user has no subordinate id range"
                    + " in /etc/subuid and /etc/subgid; add one (e.g. `sudo usermod --add-subuids 100000-165535"
                    + " --add-subgids 100000-165535 $USER`) and install the uidmap package";
        }
        return "cannot " + what + ": the user namespace maps container ids 0.." + map.maxUid() + " (uids) and 0.."
                + map.maxGid() + " (gids); give the user a larger range in /etc/subuid and /etc/subgid";
    }

    private void extraMounts(Script s) throws IOException {
        int n = 0;
        for (AgentProtocol.MountSpec spec : r.mounts()) {
            n++;
            if (spec instanceof AgentProtocol.MountSpec.Bind bind) {
                bindMount(s, bind, n);
            } else if (spec instanceof AgentProtocol.MountSpec.Tmpfs tmpfs) {
                String target = ensure(LayerPaths.clean(tmpfs.target()), true);
                mountPoint(s, target, true);
                s.line(mount() + " -t tmpfs -o mode=1777,nosuid,nodev" + (tmpfs.size() > 0 ? ",size=" + tmpfs.size() : "")
                        + (tmpfs.readOnly() ? ",ro" : "") + " tmpfs " + Script.q(target));
            } else if (spec instanceof AgentProtocol.MountSpec.Cache cache) {
                cacheMount(s, cache);
            } else if (spec instanceof AgentProtocol.MountSpec.Secret secret) {
                secretMount(s, secret, n);
            } else {
                // The caller's forwarding socket, given the step's owner and mode (we are container root).
                // (The JDK cannot chown a socket: it opens the file.)
                AgentProtocol.MountSpec.Socket agent = (AgentProtocol.MountSpec.Socket) spec;
                String socket = Script.q(agent.socket());
                String target = ensure(LayerPaths.clean(agent.target()), false);
                s.line("chown " + agent.uid() + ":" + agent.gid() + " " + socket + " && chmod "
                        + Integer.toOctalString(agent.mode()) + " " + socket);
                mountPoint(s, target, false);
                s.line(mount() + " --bind " + socket + " " + Script.q(target));
            }
        }
    }

    private void bindMount(Script s, AgentProtocol.MountSpec.Bind spec, int n) throws IOException {
        Path sourceRoot = Path.of(spec.sourceRoot()).toRealPath();
        String rel = inside(sourceRoot, spec.sourcePath());
        Path source = RawNames.child(sourceRoot, rel);
        if (!Files.exists(source, NOFOLLOW)) {
            throw new SandboxException("bind mount source " + spec.sourcePath() + " does not exist");
        }
        boolean dir = Files.isDirectory(source, NOFOLLOW);
        String target = ensure(LayerPaths.clean(spec.target()), dir);
        mountPoint(s, target, dir);
        if (spec.readWrite()) {
            // Writes are allowed but thrown away: an overlay (directories) or a copy (files).
            Path base = Files.createDirectories(work.resolve("rw" + n));
            if (dir) {
                Path up = Files.createDirectories(base.resolve("upper"));
                Path wk = Files.createDirectories(base.resolve("work"));
                shadowUnmapped(source, up);
                s.line(mount() + " -t overlay overlay -o " + Script.q(SandboxAgent.OverlayOptions.of(
                        List.of(source), up, wk)) + " " + Script.q(target));
            } else {
                Path copy = base.resolve("file");
                copyForWriting(source, copy, spec.sourcePath());
                s.line(mount() + " --bind " + Script.q(copy.toString()) + " " + Script.q(target));
            }
        } else {
            s.line(mount() + " --bind " + Script.q(RawNames.pathText(source)) + " " + Script.q(target));
            readOnly(s, target);
        }
    }

    private void cacheMount(Script s, AgentProtocol.MountSpec.Cache spec) throws IOException {
        Path root = Files.createDirectories(Path.of(spec.cacheRoot()));
        Path dir = root.resolve(sha256(spec.id()));
        if (!Files.isDirectory(dir, NOFOLLOW)) {
            Path tmp = Files.createTempDirectory(root, ".new-");
            Files.setAttribute(tmp, "unix:uid", (int) spec.uid(), NOFOLLOW);
            Files.setAttribute(tmp, "unix:gid", (int) spec.gid(), NOFOLLOW);
            Files.setAttribute(tmp, "unix:mode", spec.mode(), NOFOLLOW);
            if (!FileTrees.renameIntoPlace(tmp, dir, made -> true)) {
                Files.deleteIfExists(tmp); // another build made it first
            }
        }
        String target = ensure(LayerPaths.clean(spec.target()), true);
        mountPoint(s, target, true);
        s.line(mount() + " --bind " + Script.q(dir.toString()) + " " + Script.q(target));
        if (spec.readOnly()) {
            readOnly(s, target);
        }
    }

    private void secretMount(Script s, AgentProtocol.MountSpec.Secret spec, int n) throws IOException {
        Path secrets = work.resolve("secrets");
        if (!Files.isDirectory(secrets)) {
            Files.createDirectories(secrets);
            // In memory only, and visible only in the agent's mount namespace (and, until it
            // pivots away, in the run's), unmounted when the run ends.
            SandboxAgent.Exec.run(tools.get("mount"), "-t", "tmpfs", "-o", "mode=0711,size=16m",
                    "tmpfs", secrets.toString());
            agentMounts.add(secrets);
        }
        Path copy = secrets.resolve("s" + n);
        Files.copy(Path.of(spec.source()), copy);
        Files.setAttribute(copy, "unix:uid", (int) spec.uid(), NOFOLLOW);
        Files.setAttribute(copy, "unix:gid", (int) spec.gid(), NOFOLLOW);
        Files.setAttribute(copy, "unix:mode", spec.mode(), NOFOLLOW);
        String target = ensure(LayerPaths.clean(spec.target()), false);
        mountPoint(s, target, false);
        s.line(mount() + " --bind " + Script.q(copy.toString()) + " " + Script.q(target));
        readOnly(s, target);
    }

    /**
     * Overlayfs copies a file up with its owner, and a file of a host id this namespace does not map (seen
     * as the overflow id, 65534) cannot be given it: the command's first write fails with EOVERFLOW ("Value
     * too large for defined data type"). So such entries of a rw bind's source are put in the upper dir
     * beforehand, with their content and mode and the owner the command sees where it can be set (else
     * container root): copy-up never happens for them. Entries we cannot read stay as they are (a
     * copy-up would fail for them too).
     */
    private void shadowUnmapped(Path source, Path upper) throws IOException {
        long overflowUid = overflowId("overflowuid");
        long overflowGid = overflowId("overflowgid");
        java.util.ArrayDeque<String> pending = new java.util.ArrayDeque<>(List.of(""));
        while (!pending.isEmpty()) {
            String rel = pending.pop();
            Path dir = RawNames.child(source, rel);
            List<String> names;
            try {
                names = LayerStack.names(dir);
            } catch (java.nio.file.AccessDeniedException e) {
                continue;
            }
            for (String name : names) {
                String childRel = LayerPaths.join(rel, name);
                LayerStack.Node node = new LayerStack.Node(RawNames.child(source, childRel),
                        LayerStack.lstat(RawNames.child(source, childRel)));
                if (node.uid() == overflowUid || node.gid() == overflowGid) {
                    shadow(source, upper, childRel, node);
                }
                if (node.isDirectory()) {
                    pending.push(childRel);
                }
            }
        }
    }

    private static void shadow(Path source, Path upper, String rel, LayerStack.Node node) throws IOException {
        // Parents first, as the command sees them (their owners are mapped, or they were shadowed already).
        String parent = LayerPaths.parent(rel);
        if (!parent.isEmpty() && LayerStack.lstat(RawNames.child(upper, parent)) == null) {
            Path p = RawNames.child(source, parent);
            shadow(source, upper, parent, new LayerStack.Node(p, LayerStack.lstat(p)));
        }
        Path copy = RawNames.child(upper, rel);
        try {
            switch (node.type()) {
                case LayerStack.S_IFDIR -> Files.createDirectory(copy);
                case LayerStack.S_IFREG -> Files.copy(node.path(), copy);
                case LayerStack.S_IFLNK -> Files.createSymbolicLink(copy, Files.readSymbolicLink(node.path()));
                default -> {
                    return; // devices, fifos and sockets: nothing to copy
                }
            }
        } catch (java.nio.file.AccessDeniedException e) {
            return;
        }
        try {
            Files.setAttribute(copy, "unix:uid", (int) node.uid(), NOFOLLOW);
        } catch (IOException e) {
            // not a container id here: container root keeps it
        }
        try {
            Files.setAttribute(copy, "unix:gid", (int) node.gid(), NOFOLLOW);
        } catch (IOException e) {
            // likewise
        }
        if (node.type() != LayerStack.S_IFLNK) {
            Files.setAttribute(copy, "unix:mode", node.mode(), NOFOLLOW); // after chown, which clears setuid
        }
        SandboxAgent.setMtime(copy, node.mtime());
    }

    /**
     * The private copy a read-write bind of a single file mounts. Only a regular file has content to copy: a
     * FIFO gets a new FIFO (opening the source would wait for a writer forever, and the command must not talk
     * to whoever holds the original), and other special files are refused.
     */
    private void copyForWriting(Path source, Path copy, String named) throws IOException {
        LayerStack.Node node = new LayerStack.Node(source, LayerStack.lstat(source));
        switch (node.type()) {
            case LayerStack.S_IFREG -> Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES, NOFOLLOW);
            // No mtime: the JDK sets times by opening the file, which blocks on a FIFO too.
            case LayerStack.S_IFIFO -> SandboxAgent.Exec.run(tools.getOrDefault("mkfifo", "mkfifo"), "-m",
                    Integer.toOctalString(node.mode()), "--", copy.toString());
            default -> throw new SandboxException("RUN --mount=type=bind,rw: source " + RawNames.display(named)
                    + " is a " + (node.type() == LayerStack.S_IFSOCK ? "socket" : "device")
                    + ", which cannot be copied for writing (mount it read-only)");
        }
    }

    /** The id the kernel shows for a host id this namespace does not map. */
    private static long overflowId(String name) {
        // Read as a stream: procfs reports a size of 0, and a read sized by it can come back short.
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/kernel/" + name))) {
            return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            return 65534;
        }
    }

    /**
     * Makes the mount point in the script too: under /dev it is in the tmpfs mounted there first, which hides
     * the one {@link #ensure} made in the rootfs (elsewhere it exists already and this does nothing).
     */
    private static void mountPoint(Script s, String target, boolean directory) {
        String t = Script.q(target);
        s.line(directory ? "[ -e " + t + " ] || mkdir -p " + t
                : "[ -e " + t + " ] || { mkdir -p \"$(dirname " + t + ")\" && : > " + t + "; }");
    }

    /** A read-only remount must repeat the flags the kernel locked on the source mount. */
    private void readOnly(Script s, String target) {
        String t = Script.q(target);
        s.line(mount() + " -o remount,bind,ro " + t + " 2>/dev/null || " + mount() + " -o remount,bind,ro,nosuid,nodev "
                + t + " 2>/dev/null || " + mount() + " -o remount,bind,ro,nosuid,nodev,noexec " + t);
    }

    static String sha256(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8)).hex();
    }

    /**
     * Resolves a container path inside the rootfs and makes sure something of the right kind is there to
     * mount on, creating what is missing (recorded, removed after the run). Returns the host path.
     */
    private String ensure(String unsafe, boolean directory) throws IOException {
        String rel = inside(merged, unsafe);
        if (rel.isEmpty()) {
            throw new SandboxException("cannot mount over the container root (" + unsafe + ")");
        }
        Path p = RawNames.child(merged, rel);
        Map<String, Object> a = LayerStack.lstat(p);
        if (a == null) {
            mkdirs(LayerPaths.parent(rel), true);
            create(rel, directory);
        } else {
            boolean isDir = ((Integer) a.get("mode") & LayerStack.S_IFMT) == LayerStack.S_IFDIR;
            if (isDir != directory) {
                throw new SandboxException("cannot mount a " + (directory ? "directory" : "file") + " on /" + rel
                        + ", which is a " + (isDir ? "directory" : "file") + " in the image");
            }
        }
        return RawNames.pathText(p);
    }

    private void mkdirs(String rel, boolean record) throws IOException {
        if (rel.isEmpty()) {
            return;
        }
        Path p = RawNames.child(merged, rel);
        Map<String, Object> a = LayerStack.lstat(p);
        if (a != null) {
            if (((Integer) a.get("mode") & LayerStack.S_IFMT) != LayerStack.S_IFDIR) {
                throw new SandboxException("/" + rel + " is not a directory in the image");
            }
            return;
        }
        mkdirs(LayerPaths.parent(rel), record);
        if (record) {
            create(rel, true);
        } else {
            Files.createDirectory(p);
            Files.setAttribute(p, "unix:mode", 0755);
        }
    }

    private void create(String rel, boolean directory) throws IOException {
        Path p = RawNames.child(merged, rel);
        Path parent = p.getParent();
        FileTime before = Files.getLastModifiedTime(parent, NOFOLLOW);
        if (directory) {
            Files.createDirectory(p);
            Files.setAttribute(p, "unix:mode", 0755);
        } else {
            Files.createFile(p);
            Files.setAttribute(p, "unix:mode", 0644);
        }
        created.add(new Created(rel, directory, before, Files.getLastModifiedTime(parent, NOFOLLOW)));
    }

    private void removeCreatedMountpoints() throws IOException {
        for (int i = created.size() - 1; i >= 0; i--) {
            Created c = created.get(i);
            Path p = RawNames.child(top, c.rel());
            Map<String, Object> a = LayerStack.lstat(p);
            if (a == null) {
                continue;
            }
            int type = (Integer) a.get("mode") & LayerStack.S_IFMT;
            boolean empty = c.directory() ? type == LayerStack.S_IFDIR && LayerStack.names(p).isEmpty()
                    : type == LayerStack.S_IFREG && (Long) a.get("size") == 0;
            if (c.owned()) {
                Path parent = p.getParent();
                boolean untouchedParent = Files.getLastModifiedTime(parent, NOFOLLOW).equals(c.parentAfter());
                deleteTree(p);
                if (untouchedParent) {
                    SandboxAgent.setMtime(parent, c.parentBefore());
                }
                continue;
            }
            if (!empty) {
                warnings.add("/" + c.rel() + " was created as a mount point and then used by the command; kept");
                continue;
            }
            Path parent = p.getParent();
            boolean untouchedParent = Files.getLastModifiedTime(parent, NOFOLLOW).equals(c.parentAfter());
            Files.delete(p);
            if (untouchedParent) {
                SandboxAgent.setMtime(parent, c.parentBefore());
            }
        }
    }

    // ---- chroot isolation without a mount namespace -------------------------------------------------------

    /** Character devices a command expects in /dev: name, major, minor. */
    private static final List<Object[]> DEVICES = List.of(new Object[] {"null", 1, 3}, new Object[] {"zero", 1, 5},
            new Object[] {"full", 1, 7}, new Object[] {"random", 1, 8}, new Object[] {"urandom", 1, 9},
            new Object[] {"tty", 5, 0});

    /**
     * The container allows no mount namespace: nothing can be mounted. The copy is prepared in place instead,
     * and everything added for the run is removed afterwards: device nodes made with mknod, /etc/hosts,
     * /etc/resolv.conf and /etc/hostname swapped in (the image's files set aside and put back), bind mounts
     * copied in. The command then runs with a plain chroot.
     */
    private String prepareBareRun() throws IOException {
        String cwd = workingDirectory();
        String dev = inside(merged, "dev");
        if (dev.isEmpty()) {
            throw new SandboxException("/dev resolves to the container root");
        }
        ensure("dev", true);
        List<String> failed = new ArrayList<>();
        for (Object[] d : DEVICES) {
            String rel = LayerPaths.join(dev, (String) d[0]);
            if (LayerStack.lstat(RawNames.child(merged, rel)) != null) {
                continue;
            }
            Path node = RawNames.child(merged, rel);
            FileTime before = Files.getLastModifiedTime(node.getParent(), NOFOLLOW);
            try {
                SandboxAgent.Exec.script(tools.get("sh"), List.of(tools.getOrDefault("mknod", "mknod"), "-m", "666", "--",
                        RawNames.pathText(node), "c", d[1].toString(), d[2].toString()));
            } catch (SandboxException e) {
                failed.add("/dev/" + d[0]);
                continue;
            }
            created.add(new Created(rel, false, before, Files.getLastModifiedTime(node.getParent(), NOFOLLOW), true));
        }
        if (!failed.isEmpty()) {
            warnings.add("could not create " + String.join(", ", failed) + " (mknod needs CAP_MKNOD)");
        }
        standIn("etc/hosts", r.hosts());
        standIn("etc/resolv.conf", r.resolvConf());
        standIn("etc/hostname", r.hostname() + "\n");
        int n = 0;
        for (AgentProtocol.MountSpec spec : r.mounts()) {
            n++;
            if (!(spec instanceof AgentProtocol.MountSpec.Bind bind)) {
                throw new SandboxException("RUN --mount=type=" + spec.dockerfileType() + " needs a mount namespace, which"
                        + " this container does not allow (--isolation=chroot without namespaces supports only type=bind)");
            }
            copyIn(bind);
        }
        Script s = new Script();
        s.line("set -eu");
        s.line(": > " + Script.q(work.resolve("started").toString()));
        s.line(execLine(merged.toString()));
        Path file = work.resolve("run.sh");
        Files.write(file, RawNames.encode(s.toString())); // the names in it as their bytes
        return file.toString();
    }

    /** Puts generated content at a container path for the run: the image's file, if any, is set aside. */
    private void standIn(String unsafe, String content) throws IOException {
        String rel = inside(merged, unsafe);
        Path p = RawNames.child(merged, rel);
        Map<String, Object> a = LayerStack.lstat(p);
        if (a == null) {
            ensure(unsafe, false);
            Created placeholder = created.remove(created.size() - 1);
            Files.writeString(p, content);
            created.add(new Created(placeholder.rel(), false, placeholder.parentBefore(),
                    Files.getLastModifiedTime(p.getParent(), NOFOLLOW), true));
            return;
        }
        if (((Integer) a.get("mode") & LayerStack.S_IFMT) != LayerStack.S_IFREG) {
            throw new SandboxException("cannot provide /" + rel + ", which is not a regular file in the image");
        }
        Path saved = Files.createDirectories(work.resolve("saved")).resolve(Integer.toString(swapped.size()));
        FileTime before = Files.getLastModifiedTime(p.getParent(), NOFOLLOW);
        Files.move(p, saved, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(p, content);
        Files.setAttribute(p, "unix:mode", 0644, NOFOLLOW);
        swapped.add(new Swapped(rel, saved, before, Files.getLastModifiedTime(p.getParent(), NOFOLLOW)));
    }

    /** Puts the image's files back where generated ones stood in, with their directory's mtime. */
    private void restoreSwapped() throws IOException {
        for (int i = swapped.size() - 1; i >= 0; i--) {
            Swapped w = swapped.get(i);
            Path p = RawNames.child(merged, w.rel());
            Path parent = p.getParent();
            if (!Files.isDirectory(parent, NOFOLLOW)) {
                continue; // the command removed the directory: the image's file goes with it
            }
            boolean untouchedParent = Files.getLastModifiedTime(parent, NOFOLLOW).equals(w.parentAfter());
            deleteTree(p);
            Files.move(w.saved(), p, StandardCopyOption.ATOMIC_MOVE);
            if (untouchedParent) {
                SandboxAgent.setMtime(parent, w.parentBefore());
            }
        }
        swapped.clear();
    }

    /** A read-only bind mount without mounts: the source copied to a target that must not exist yet. */
    private void copyIn(AgentProtocol.MountSpec.Bind spec) throws IOException {
        Path sourceRoot = Path.of(spec.sourceRoot()).toRealPath();
        String srcRel = inside(sourceRoot, spec.sourcePath());
        Path source = RawNames.child(sourceRoot, srcRel);
        if (!Files.exists(source, NOFOLLOW)) {
            throw new SandboxException("bind mount source " + spec.sourcePath() + " does not exist");
        }
        String rel = inside(merged, LayerPaths.clean(spec.target()));
        if (rel.isEmpty()) {
            throw new SandboxException("cannot mount over the container root (" + spec.target() + ")");
        }
        Path target = RawNames.child(merged, rel);
        if (LayerStack.lstat(target) != null) {
            throw new SandboxException("RUN --mount target " + spec.target() + " exists in the image: without a"
                    + " mount namespace (--isolation=chroot) bind mounts are copied in, to a path that must not"
                    + " exist yet");
        }
        mkdirs(LayerPaths.parent(rel), true);
        FileTime before = Files.getLastModifiedTime(target.getParent(), NOFOLLOW);
        SandboxAgent.Exec.script(tools.get("sh"), List.of(tools.get("cp"), "-a", "--reflink=auto", "--",
                RawNames.pathText(source), RawNames.pathText(target)));
        created.add(new Created(rel, Files.isDirectory(target, NOFOLLOW), before,
                Files.getLastModifiedTime(target.getParent(), NOFOLLOW), true));
    }

    // ---- the command -------------------------------------------------------------------------------------

    private int startCommand(String script) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (!bare) {
            cmd.add(tools.get("unshare"));
            cmd.add("--pid");
            cmd.add("--fork");
            cmd.add("--kill-child");
            cmd.add("--mount");
            for (String ns : List.of(ChrootSupport.UTS, ChrootSupport.IPC)) {
                if (r.namespaces().contains(ns)) {
                    cmd.add("--" + ns);
                }
            }
            if ("NONE".equals(r.network())) {
                cmd.add("--net");
            }
            cmd.add("--propagation=private");
            cmd.add("--");
        }
        cmd.add(tools.get("sh"));
        cmd.add(script);
        // The command's output comes through pipes we read and forward as frames tagged with this run
        // (AgentProtocol.OUTPUT), rather than through per-run FIFOs the caller would open: one channel to
        // the caller for every run, nothing to create or clean up per run, and the agent's stdout stays
        // the protocol's alone.
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.start();
        Thread out = forward(p.getInputStream(), AgentProtocol.STDOUT);
        Thread err = forward(p.getErrorStream(), AgentProtocol.STDERR);
        try {
            int exit = p.waitFor();
            joinAll(out, err);
            return exit;
        } catch (InterruptedException e) {
            // Cancelled: killing unshare kills the command's pid namespace (--kill-child), so its pipes close.
            p.destroyForcibly();
            joinAll(out, err);
            throw new SandboxException("interrupted", e);
        }
    }

    private Thread forward(java.io.InputStream in, byte stream) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (n > 0) {
                        output.write(stream, buffer, n);
                    }
                }
            } catch (IOException e) {
                // the command is gone, or so is the caller (the agent then exits)
            }
        }, "sandbox-run-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for the output to be forwarded; a kill meanwhile (the command is ending anyway) is kept for later. */
    private static void joinAll(Thread... threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private String readSetupLog() {
        try {
            return Files.readString(work.resolve("setup.log")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    // ---- the diff ----------------------------------------------------------------------------------------

    private List<LayerEntry> diff(LayerStack lower) throws IOException {
        LayerStack mergedView;
        Differ.Scope scope;
        if (overlay) {
            List<Path> stack = new ArrayList<>();
            stack.add(top);
            stack.addAll(lowers);
            mergedView = new LayerStack(stack);
            scope = new OverlayScope(top);
        } else {
            mergedView = new LayerStack(List.of(top));
            scope = new CopyScope(top, lower, index);
        }
        List<Differ.Change> changes = new Differ(lower, mergedView, scope).diff();
        Map<String, String> links = Differ.hardlinks(changes);
        Map<String, Path> contents = new HashMap<>();
        List<LayerEntry> entries = new ArrayList<>();
        Readability readable = new Readability(r.mapping(), top);
        Path side = work.resolve("content");
        int copies = 0;
        for (Differ.Change c : changes) {
            try {
                switch (c.kind()) {
                    case WHITEOUT -> entries.add(new LayerEntry.Whiteout(c.path(), EntryAttributes.of(0)));
                    case OPAQUE -> entries.add(new LayerEntry.OpaqueWhiteout(c.path(), EntryAttributes.of(0)));
                    case ENTRY -> {
                        LayerStack.Node n = c.node();
                        EntryAttributes a = new EntryAttributes(n.mode(), n.uid(), n.gid(), n.mtime().toInstant(),
                                LayerStack.userXattrs(n));
                        switch (n.type()) {
                            case LayerStack.S_IFDIR -> entries.add(new LayerEntry.Directory(c.path(), a));
                            case LayerStack.S_IFLNK -> entries.add(new LayerEntry.Symlink(c.path(), a,
                                    RawNames.pathText(Files.readSymbolicLink(n.path()))));
                            case LayerStack.S_IFREG -> {
                                String link = links.get(c.path());
                                if (link != null) {
                                    entries.add(new LayerEntry.Hardlink(c.path(), a, link));
                                    break;
                                }
                                Path content = n.path();
                                if (!readable.test(content)) {
                                    Files.createDirectories(side);
                                    Path copy = side.resolve(Integer.toString(copies++));
                                    Files.copy(content, copy);
                                    Files.setAttribute(copy, "unix:mode", 0600);
                                    content = copy;
                                }
                                contents.put(c.path(), content);
                                entries.add(new LayerEntry.RegularFile(c.path(), a, n.size(),
                                        ContentSource.of(content)));
                            }
                            case LayerStack.S_IFCHR, LayerStack.S_IFBLK -> entries.add(new LayerEntry.Device(c.path(), a,
                                    n.type() == LayerStack.S_IFCHR ? DeviceKind.CHARACTER : DeviceKind.BLOCK,
                                    major(n.rdev()), minor(n.rdev())));
                            case LayerStack.S_IFIFO -> entries.add(new LayerEntry.Fifo(c.path(), a));
                            default -> warnings.add("skipped /" + c.path() + " (unsupported file type)");
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            } catch (IllegalArgumentException e) {
                throw new SandboxException("cannot put /" + c.path() + " in a layer: " + e.getMessage(), e);
            }
        }
        Manifest.write(work.resolve("changes.bin"), entries, contents);
        return entries;
    }

    static int major(long rdev) {
        return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
    }

    static int minor(long rdev) {
        return (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
    }

    /** Overlay: changes are in the upper dir. */
    private static final class OverlayScope implements Differ.Scope {
        private final Path upper;

        OverlayScope(Path upper) {
            this.upper = upper;
        }

        @Override
        public TreeSet<String> names(String dir) throws IOException {
            Path d = RawNames.child(upper, dir);
            return Files.isDirectory(d, NOFOLLOW) ? new TreeSet<>(LayerStack.names(d)) : new TreeSet<>();
        }

        @Override
        public boolean untouched(String path, LayerStack.Node merged) {
            return !merged.path().startsWith(upper);
        }

        @Override
        public boolean recreated(String path, LayerStack.Node merged) throws IOException {
            return merged.path().startsWith(upper) && LayerStack.isOpaque(merged.path());
        }

        @Override
        public boolean subtreeUntouched(String path) {
            return !Files.isDirectory(RawNames.child(upper, path), NOFOLLOW);
        }
    }

    /** Copy: an entry whose inode and ctime did not move since the copy is untouched. */
    private static final class CopyScope implements Differ.Scope {
        private final Path copy;
        private final LayerStack lower;
        private final Map<String, long[]> index;

        CopyScope(Path copy, LayerStack lower, Map<String, long[]> index) {
            this.copy = copy;
            this.lower = lower;
            this.index = index;
        }

        @Override
        public TreeSet<String> names(String dir) throws IOException {
            Path d = RawNames.child(copy, dir);
            TreeSet<String> names = new TreeSet<>(LayerStack.names(d));
            LayerStack.Node n = new LayerStack.Node(d, LayerStack.lstat(d));
            if (!untouched(dir, n)) {
                names.addAll(lower.list(dir)); // entries may have been removed
            }
            return names;
        }

        @Override
        public boolean untouched(String path, LayerStack.Node merged) {
            long[] before = index.get(path);
            return before != null && before[0] == merged.ino() && before[1] == nanos(merged.ctime());
        }

        @Override
        public boolean recreated(String path, LayerStack.Node merged) {
            long[] before = index.get(path);
            return before == null || before[0] != merged.ino();
        }

        @Override
        public boolean subtreeUntouched(String path) {
            return false;
        }
    }

    /**
     * Whether the caller's JVM, outside the namespace, can read a file: it is container uid 0 / gid 0 there,
     * and needs search permission on every directory from the tree's root down.
     */
    private static final class Readability {
        private final boolean everything;
        private final Path root;
        private final Map<Path, Boolean> dirs = new HashMap<>();

        Readability(IdMapping mapping, Path root) {
            this.everything = mapping.kind() == IdMapping.Kind.IDENTITY;
            this.root = root;
        }

        boolean test(Path file) throws IOException {
            if (everything) {
                return true;
            }
            return allowed(file, 4) && searchable(file.getParent());
        }

        private boolean searchable(Path dir) throws IOException {
            if (dir == null || !dir.startsWith(root) || dir.equals(root.getParent())) {
                return true;
            }
            Boolean known = dirs.get(dir);
            if (known != null) {
                return known;
            }
            boolean ok = allowed(dir, 1) && (dir.equals(root) || searchable(dir.getParent()));
            dirs.put(dir, ok);
            return ok;
        }

        private static boolean allowed(Path p, int bit) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", NOFOLLOW);
            int mode = (Integer) a.get("mode");
            if ((Integer) a.get("uid") == 0) {
                return (mode & (bit << 6)) != 0;
            }
            if ((Integer) a.get("gid") == 0) {
                return (mode & (bit << 3)) != 0;
            }
            return (mode & bit) != 0;
        }
    }

    /** A POSIX shell script under construction; written as its bytes ({@link RawNames}), names and all. */
    static final class Script {
        private final StringBuilder b = new StringBuilder();

        void line(String l) {
            b.append(l).append('\n');
        }

        static String q(String s) {
            return ShellScript.quote(s);
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }

    /** {@code unsafe} resolved inside {@code root}, symlinks followed within it (securejoin semantics). */
    static String inside(Path root, String unsafe) throws SandboxException {
        try {
            return dev.jbuild.layer.RootedResolver.resolveInside(root, unsafe);
        } catch (IOException e) { // an invalid name (LayerException) or a link loop (TooManyLinksException)
            throw new SandboxException(e.getMessage(), e);
        }
    }

    /** The step's working directory inside the root, created (as runc does) when missing; it stays in the changes. */
    private String workingDirectory() throws IOException {
        String cwd = inside(merged, r.cwd());
        if (!cwd.isEmpty()) {
            Path c = RawNames.child(merged, cwd);
            if (!Files.exists(c, NOFOLLOW)) {
                mkdirs(cwd, false);
            } else if (!Files.isDirectory(c, NOFOLLOW)) {
                throw new SandboxException("working directory " + r.cwd() + " is not a directory");
            }
        }
        return cwd;
    }
}
