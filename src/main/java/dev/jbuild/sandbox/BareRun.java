package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Chroot isolation in a container that allows no mount namespace: nothing can be mounted, and there is no
 * pivot_root. The copy is prepared in place instead, and everything added for the run is removed afterwards:
 * device nodes made with mknod, /etc/hosts, /etc/resolv.conf and /etc/hostname swapped in (the image's files
 * set aside and put back, {@link #restore}), bind mounts copied in. The command then runs with a plain chroot.
 */
final class BareRun {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /** Character devices a command expects in /dev: name, major, minor. */
    private static final List<Object[]> DEVICES = List.of(new Object[] {"null", 1, 3}, new Object[] {"zero", 1, 5},
            new Object[] {"full", 1, 7}, new Object[] {"random", 1, 8}, new Object[] {"urandom", 1, 9},
            new Object[] {"tty", 5, 0});

    /** An image file set aside while a generated one stands in its place. */
    private record Swapped(String rel, Path saved, FileTime parentBefore, FileTime parentAfter) {
    }

    private final AgentProtocol.Request r;
    private final Map<String, String> tools;
    private final Path work;
    private final Path merged;
    private final MountPoints mountPoints;
    private final List<String> warnings;
    private final List<Swapped> swapped = new ArrayList<>();

    BareRun(AgentProtocol.Request r, Path work, Path merged, MountPoints mountPoints, List<String> warnings) {
        this.r = r;
        this.tools = r.tools();
        this.work = work;
        this.merged = merged;
        this.mountPoints = mountPoints;
        this.warnings = warnings;
    }

    /** Puts what the command needs in place and writes its script; returns the script's path. */
    String write() throws IOException {
        mountPoints.workingDirectory(r.cwd());
        String dev = MountPoints.inside(merged, "dev");
        if (dev.isEmpty()) {
            throw new SandboxException("/dev resolves to the container root");
        }
        mountPoints.ensure("dev", true);
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
            mountPoints.owned(rel, false, before, Files.getLastModifiedTime(node.getParent(), NOFOLLOW));
        }
        if (!failed.isEmpty()) {
            warnings.add("could not create " + String.join(", ", failed) + " (mknod needs CAP_MKNOD)");
        }
        standIn("etc/hosts", r.hosts());
        standIn("etc/resolv.conf", r.resolvConf());
        standIn("etc/hostname", r.hostname() + "\n");
        for (SandboxMount spec : r.mounts()) {
            if (!(spec instanceof SandboxMount.Bind bind)) {
                throw new SandboxException("RUN --mount=type=" + spec.dockerfileType() + " needs a mount namespace, which"
                        + " this container does not allow (--isolation=chroot without namespaces supports only type=bind)");
            }
            copyIn(bind);
        }
        Script s = new Script();
        s.line("set -eu");
        s.line(": > " + Script.q(work.resolve("started").toString()));
        s.line(ExecLine.of(r, merged.toString()));
        Path file = work.resolve("run.sh");
        Files.write(file, RawNames.encode(s.toString())); // the names in it as their bytes
        return file.toString();
    }

    /** Puts generated content at a container path for the run: the image's file, if any, is set aside. */
    private void standIn(String unsafe, String content) throws IOException {
        String rel = MountPoints.inside(merged, unsafe);
        Path p = RawNames.child(merged, rel);
        Map<String, Object> a = LayerStack.lstat(p);
        if (a == null) {
            mountPoints.ensure(unsafe, false);
            MountPoints.Created placeholder = mountPoints.takeLast();
            Files.writeString(p, content);
            mountPoints.owned(placeholder.rel(), false, placeholder.parentBefore(),
                    Files.getLastModifiedTime(p.getParent(), NOFOLLOW));
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
    void restore() throws IOException {
        for (int i = swapped.size() - 1; i >= 0; i--) {
            Swapped w = swapped.get(i);
            Path p = RawNames.child(merged, w.rel());
            Path parent = p.getParent();
            if (!Files.isDirectory(parent, NOFOLLOW)) {
                continue; // the command removed the directory: the image's file goes with it
            }
            boolean untouchedParent = Files.getLastModifiedTime(parent, NOFOLLOW).equals(w.parentAfter());
            RunRootfs.deleteTree(p);
            Files.move(w.saved(), p, StandardCopyOption.ATOMIC_MOVE);
            if (untouchedParent) {
                SandboxAgent.setMtime(parent, w.parentBefore());
            }
        }
        swapped.clear();
    }

    /** A read-only bind mount without mounts: the source copied to a target that must not exist yet. */
    private void copyIn(SandboxMount.Bind spec) throws IOException {
        Path sourceRoot = Path.of(spec.sourceRoot()).toRealPath();
        String srcRel = MountPoints.inside(sourceRoot, spec.sourcePath());
        Path source = RawNames.child(sourceRoot, srcRel);
        if (!Files.exists(source, NOFOLLOW)) {
            throw new SandboxException("bind mount source " + spec.sourcePath() + " does not exist");
        }
        String rel = MountPoints.inside(merged, LayerPaths.clean(spec.target()));
        if (rel.isEmpty()) {
            throw new SandboxException("cannot mount over the container root (" + spec.target() + ")");
        }
        Path target = RawNames.child(merged, rel);
        if (LayerStack.lstat(target) != null) {
            throw new SandboxException("RUN --mount target " + spec.target() + " exists in the image: without a"
                    + " mount namespace (--isolation=chroot) bind mounts are copied in, to a path that must not"
                    + " exist yet");
        }
        mountPoints.mkdirs(LayerPaths.parent(rel), true);
        FileTime before = Files.getLastModifiedTime(target.getParent(), NOFOLLOW);
        SandboxAgent.Exec.script(tools.get("sh"), List.of(tools.get("cp"), "-a", "--reflink=auto", "--",
                RawNames.pathText(source), RawNames.pathText(target)));
        mountPoints.owned(rel, Files.isDirectory(target, NOFOLLOW), before,
                Files.getLastModifiedTime(target.getParent(), NOFOLLOW));
    }
}
