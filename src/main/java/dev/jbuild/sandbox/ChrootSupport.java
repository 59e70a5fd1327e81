package dev.jbuild.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link Isolation#CHROOT} can use on this machine: it probes, as real root, which namespaces the
 * container allows (each with util-linux {@code unshare}), and whether {@code unshare} itself may run
 * (seccomp profiles refuse the {@code unshare} system call to processes without {@code CAP_SYS_ADMIN}).
 *
 * <p>The system property {@value #FORCE_PROPERTY} limits what is used to the names it lists (comma-separated,
 * {@code none} for nothing): tests use it to exercise the namespace-less paths on machines that allow
 * everything.
 */
final class ChrootSupport {
    static final String FORCE_PROPERTY = "jbuild.sandbox.chroot.namespaces";

    /** Namespace names as the agent request carries them. */
    static final String MOUNT = "mount";
    static final String PID = "pid";
    static final String UTS = "uts";
    static final String IPC = "ipc";
    static final String NET = "net";
    /** Not a namespace: {@code unshare --root} (the unshare(0) system call) is allowed. */
    static final String UNSHARE_ROOT = "unshare-root";

    /** Every namespace, as the default isolation uses them. */
    static final List<String> ALL = List.of(MOUNT, PID, UTS, IPC, NET, UNSHARE_ROOT);

    private ChrootSupport() {
    }

    /**
     * The namespaces a chroot-isolated command can get, and warnings for what is missing. Mount and pid
     * come as a pair (the command's /proc needs both); without them the command runs with a bare chroot.
     */
    static List<String> probe(Map<String, String> tools, Path workRoot, List<String> warnings) throws SandboxException {
        List<String> allowed = new ArrayList<>();
        String force = System.getProperty(FORCE_PROPERTY);
        List<String> permitted = force == null ? ALL : List.of(force.split(","));
        Path probeDir = workRoot.resolve("chroot-probe");
        if (permitted.contains(MOUNT) && works(tools, List.of("--mount", "--propagation=private", "--pid", "--fork", "--"),
                mountProbe(tools, probeDir))) {
            allowed.add(MOUNT);
            allowed.add(PID);
        }
        try {
            Files.deleteIfExists(probeDir);
        } catch (IOException e) {
            // an empty directory left in the work root
        }
        for (String ns : List.of(UTS, IPC, NET)) {
            if (permitted.contains(ns) && works(tools, List.of("--" + ns, "--"), List.of(tools.get("sh"), "-c", "exit 0"))) {
                allowed.add(ns);
            }
        }
        if (permitted.contains(UNSHARE_ROOT) && works(tools, List.of("--root=/", "--"), List.of(tools.get("sh"), "-c", "exit 0"))) {
            allowed.add(UNSHARE_ROOT);
        }
        if (!allowed.contains(MOUNT)) {
            warnings.add("--isolation=chroot: this container allows no mount and pid namespaces with a /proc of"
                    + " their own: RUN steps run in a"
                    + " bare chroot, without /proc, with device nodes made by mknod, and processes they leave"
                    + " running are not stopped; RUN --mount supports only type=bind (copied in)");
        } else {
            List<String> missing = new ArrayList<>();
            for (String ns : List.of(UTS, IPC, NET)) {
                if (!allowed.contains(ns)) {
                    missing.add(ns);
                }
            }
            if (!missing.isEmpty()) {
                warnings.add("--isolation=chroot: this container allows no " + String.join("/", missing)
                        + " namespace; RUN steps share the container's" + (missing.contains(UTS) ? " hostname" : "")
                        + (missing.contains(IPC) ? " IPC" : "") + (missing.contains(NET) ? " (--network=none is"
                        + " refused)" : ""));
            }
        }
        return List.copyOf(allowed);
    }

    /** Mounts a proc and a tmpfs in the new namespaces: what the command's setup does first. */
    private static List<String> mountProbe(Map<String, String> tools, Path dir) throws SandboxException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SandboxException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        String d = Script.q(dir.toString());
        String m = Script.q(tools.get("mount"));
        return List.of(tools.get("sh"), "-c", m + " -t tmpfs tmpfs " + d + " && mkdir " + d + "/proc && " + m
                + " -t proc proc " + d + "/proc");
    }

    private static boolean works(Map<String, String> tools, List<String> options, List<String> command) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tools.get("unshare"));
        cmd.addAll(options);
        cmd.addAll(command);
        try {
            SandboxAgent.Exec.run(cmd);
            return true;
        } catch (SandboxException e) {
            return false;
        }
    }
}
