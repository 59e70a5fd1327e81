package dev.jbuild.sandbox;

import dev.jbuild.image.Digest;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RawNames;
import dev.jbuild.store.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * A run's {@code RUN --mount}s as lines of its set-up script, each on a mount point {@link MountPoints}
 * makes: binds (read-only, or over a throw-away overlay or copy), tmpfs, cache directories, secrets (copied
 * to a tmpfs of the agent's) and the forwarded SSH agent socket.
 */
final class ExtraMounts {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final AgentProtocol.Request r;
    private final Map<String, String> tools;
    private final Path work;
    private final MountPoints mountPoints;
    private final AgentMounts agentMounts;

    ExtraMounts(AgentProtocol.Request r, Path work, MountPoints mountPoints, AgentMounts agentMounts) {
        this.r = r;
        this.tools = r.tools();
        this.work = work;
        this.mountPoints = mountPoints;
        this.agentMounts = agentMounts;
    }

    /** Prepares every mount of the request and adds the lines that make it to {@code s}, in order. */
    void add(Script s) throws IOException {
        int n = 0;
        for (SandboxMount spec : r.mounts()) {
            n++;
            if (spec instanceof SandboxMount.Bind bind) {
                bindMount(s, bind, n);
            } else if (spec instanceof SandboxMount.Tmpfs tmpfs) {
                String target = mountPoints.ensure(LayerPaths.clean(tmpfs.target()), true);
                mountPoint(s, target, true);
                s.line(mount() + " -t tmpfs -o mode=1777,nosuid,nodev"
                        + (tmpfs.sizeBytes() > 0 ? ",size=" + tmpfs.sizeBytes() : "")
                        + (tmpfs.readOnly() ? ",ro" : "") + " tmpfs " + Script.q(target));
            } else if (spec instanceof SandboxMount.Cache cache) {
                cacheMount(s, cache);
            } else if (spec instanceof SandboxMount.Secret secret) {
                secretMount(s, secret, n);
            } else {
                // The caller's forwarding socket, given the step's owner and mode (we are container root).
                // (The JDK cannot chown a socket: it opens the file.)
                SandboxMount.SshAgent agent = (SandboxMount.SshAgent) spec;
                String socket = Script.q(agent.socket());
                String target = mountPoints.ensure(LayerPaths.clean(agent.target()), false);
                s.line("chown " + agent.uid() + ":" + agent.gid() + " " + socket + " && chmod "
                        + Integer.toOctalString(agent.mode()) + " " + socket);
                mountPoint(s, target, false);
                s.line(mount() + " --bind " + socket + " " + Script.q(target));
            }
        }
    }

    private void bindMount(Script s, SandboxMount.Bind spec, int n) throws IOException {
        Path sourceRoot = Path.of(spec.sourceRoot()).toRealPath();
        String rel = MountPoints.inside(sourceRoot, spec.sourcePath());
        Path source = RawNames.child(sourceRoot, rel);
        if (!Files.exists(source, NOFOLLOW)) {
            throw new SandboxException("bind mount source " + spec.sourcePath() + " does not exist");
        }
        boolean dir = Files.isDirectory(source, NOFOLLOW);
        String target = mountPoints.ensure(LayerPaths.clean(spec.target()), dir);
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

    private void cacheMount(Script s, SandboxMount.Cache spec) throws IOException {
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
        String target = mountPoints.ensure(LayerPaths.clean(spec.target()), true);
        mountPoint(s, target, true);
        s.line(mount() + " --bind " + Script.q(dir.toString()) + " " + Script.q(target));
        if (spec.readOnly()) {
            readOnly(s, target);
        }
    }

    private void secretMount(Script s, SandboxMount.Secret spec, int n) throws IOException {
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
        String target = mountPoints.ensure(LayerPaths.clean(spec.target()), false);
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
        ArrayDeque<String> pending = new ArrayDeque<>(List.of(""));
        while (!pending.isEmpty()) {
            String rel = pending.pop();
            Path dir = RawNames.child(source, rel);
            List<String> names;
            try {
                names = LayerStack.names(dir);
            } catch (AccessDeniedException e) {
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
        } catch (AccessDeniedException e) {
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
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/kernel/" + name))) {
            return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            return 65534;
        }
    }

    /**
     * Makes the mount point in the script too: under /dev it is in the tmpfs mounted there first, which hides
     * the one {@link MountPoints#ensure} made in the rootfs (elsewhere it exists already and this does nothing).
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

    private String mount() {
        return Script.q(tools.get("mount"));
    }

    static String sha256(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8)).hex();
    }
}
