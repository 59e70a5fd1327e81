package dev.jbuild.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks that user namespaces work and, when they don't, explains why and what to change. */
final class Preflight {
    private Preflight() {
    }

    static void userNamespaces(Map<String, String> tools, IdMapping mapping) throws SandboxException {
        if (mapping.kind() != IdMapping.Kind.IDENTITY) {
            List<String> user = new ArrayList<>();
            user.add(tools.get("unshare"));
            user.addAll(mapping.unshareOptions());
            user.addAll(List.of("--", tools.get("sh"), "-c", "exit 0"));
            try {
                SandboxAgent.Exec.run(user);
            } catch (SandboxException e) {
                throw new SandboxException("cannot create a user namespace: " + e.getMessage() + hint(tools, mapping)
                        + "; run with --isolation=chroot if you are root in a container that forbids new namespaces"
                        + " (see docs/rootless.md)", e);
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(tools.get("unshare"));
        cmd.addAll(mapping.unshareOptions());
        cmd.addAll(List.of("--mount", "--pid", "--fork", "--", tools.get("sh"), "-c", "exit 0"));
        try {
            SandboxAgent.Exec.run(cmd);
        } catch (SandboxException e) {
            throw new SandboxException("cannot create the " + (mapping.kind() == IdMapping.Kind.IDENTITY ? "" : "user, ")
                    + "mount and pid namespaces RUN needs: " + e.getMessage() + hint(tools, mapping)
                    + (mapping.kind() == IdMapping.Kind.IDENTITY
                            ? "; you are root: if this is a container that forbids new namespaces, run with"
                              + " --isolation=chroot (see docs/rootless.md)"
                            : "; run with --isolation=chroot if you are root in a container that forbids new"
                              + " namespaces (see docs/rootless.md)"), e);
        }
    }

    /** Known causes, each with its fix, or "" when none applies. */
    static String hint(Map<String, String> tools, IdMapping mapping) {
        List<String> causes = new ArrayList<>();
        if (mapping.kind() != IdMapping.Kind.IDENTITY) {
            if ("0".equals(sysctl("kernel/unprivileged_userns_clone"))) {
                causes.add("unprivileged user namespaces are disabled: sudo sysctl -w kernel.unprivileged_userns_clone=1");
            }
            if ("0".equals(sysctl("user/max_user_namespaces"))) {
                causes.add("user namespaces are disabled: sudo sysctl -w user.max_user_namespaces=15000");
            }
            if ("1".equals(sysctl("kernel/apparmor_restrict_unprivileged_userns"))) {
                causes.add("AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+): sudo sysctl -w"
                        + " kernel.apparmor_restrict_unprivileged_userns=0, or give jbuild's java an AppArmor"
                        + " profile with 'userns,'");
            }
            if (mapping.kind() == IdMapping.Kind.SUBORDINATE) {
                String newuidmap = tools.get("newuidmap");
                if (newuidmap != null && !setuidOrCapable(Path.of(newuidmap))) {
                    causes.add(newuidmap + " is neither setuid root nor has file capabilities: reinstall uidmap");
                }
            }
        }
        if (Files.exists(Path.of("/.dockerenv")) || Files.exists(Path.of("/run/.containerenv"))) {
            causes.add("inside a container, run it with a seccomp/AppArmor profile that allows unshare and mount"
                    + " (e.g. --security-opt seccomp=unconfined --security-opt apparmor=unconfined), see"
                    + " docs/rootless.md");
        }
        return causes.isEmpty() ? "" : " (possible cause: " + String.join("; ", causes) + ")";
    }

    private static String sysctl(String name) {
        try {
            return Files.readString(Path.of("/proc/sys", name)).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean setuidOrCapable(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            if ((mode & 04000) != 0) {
                return true;
            }
            // File capabilities live in security.capability, which the JDK cannot read; assume they are set.
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
