package dev.jbuild.sandbox;

import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The set-up script of a run with a mount namespace: the rootfs's /proc, /dev and generated /etc files from
 * two fstabs, the {@code RUN --mount}s ({@link ExtraMounts}), hostname and loopback, then pivot_root into the
 * agent's staging root and the command's {@link ExecLine}.
 */
final class MountScript {
    private final AgentProtocol.Request r;
    private final Map<String, String> tools;
    private final Path work;
    private final Path merged;
    private final MountPoints mountPoints;
    private final ExtraMounts extraMounts;
    private final SandboxAgent.StagingSupplier stagingSupplier;

    MountScript(AgentProtocol.Request r, Path work, Path merged, MountPoints mountPoints, ExtraMounts extraMounts,
            SandboxAgent.StagingSupplier stagingSupplier) {
        this.r = r;
        this.tools = r.tools();
        this.work = work;
        this.merged = merged;
        this.mountPoints = mountPoints;
        this.extraMounts = extraMounts;
        this.stagingSupplier = stagingSupplier;
    }

    /** Makes the mount points, writes the fstabs and the script; returns the script's path. */
    String write() throws IOException {
        Script s = new Script();
        String m = merged.toString();
        String proc = mountPoints.ensure("proc", true);
        String dev = mountPoints.ensure("dev", true);
        String sys = sysMountPoint();
        String hosts = mountPoints.ensure("etc/hosts", false);
        String resolv = mountPoints.ensure("etc/resolv.conf", false);
        String hostname = mountPoints.ensure("etc/hostname", false);
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
        mountPoints.workingDirectory(r.cwd());

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
        if (sys != null) {
            // A read-only /sys, as runc gives BuildKit's steps; where it cannot be mounted, /sys stays as the image has it.
            boolean ownNetwork = "NONE".equals(r.network()) && r.namespaces().contains(ChrootSupport.NET);
            if (ownNetwork || r.mapping().kind() == IdMapping.Kind.IDENTITY) {
                // A sysfs of its own has no submounts: a real root's step never reaches the host's cgroup files.
                s.line(mount() + " -t sysfs -o nosuid,nodev,noexec,ro sysfs " + Script.q(sys) + " || true");
            } else {
                // A user namespace may not mount a sysfs of the host's network namespace, only bind it (recursively:
                // its submounts are locked); nothing there is writable to the namespace's ids.
                s.line(mount() + " --rbind -o ro /sys " + Script.q(sys) + " || true");
            }
        }
        // Not every kernel or container allows a new devpts instance: /dev/pts then stays empty, as before.
        s.line(mount() + " -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts " + Script.q(dev + "/pts")
                + " || true");
        extraMounts.add(s);
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
        s.line(ExecLine.of(r, "/root"));
        Path file = work.resolve("run.sh");
        Files.write(file, RawNames.encode(s.toString())); // the names in it as their bytes
        return file.toString();
    }

    /** Where /sys goes, made if the image lacks it (and removed after the run); null when the image has a non-directory there. */
    private String sysMountPoint() throws IOException {
        try {
            return mountPoints.ensure("sys", true);
        } catch (SandboxException e) {
            return null;
        }
    }

    private String mount() {
        return Script.q(tools.get("mount"));
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
}
