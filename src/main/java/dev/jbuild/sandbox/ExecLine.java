package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last line of a run's script: {@code exec} of the command with its limits, environment, ids, root and
 * working directory, through {@code prlimit}, {@code env}, {@code setpriv} and {@code unshare --root} (or
 * coreutils {@code chroot} where the unshare system call is refused).
 */
final class ExecLine {
    private ExecLine() {
    }

    /** The line for {@code r}'s command, run in {@code root} (a path in the set-up's own mount namespace). */
    static String of(AgentProtocol.Request r, String root) throws SandboxException {
        Map<String, String> tools = r.tools();
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

    /** Why ids beyond the mapping cannot be used, and how to get more. */
    static String idProblem(String what, IdMapping map) {
        if (map.kind() == IdMapping.Kind.SINGLE) {
            return "cannot " + what + ": only container id 0 exists because the user has no subordinate id range"
                    + " in /etc/subuid and /etc/subgid; add one (e.g. `sudo usermod --add-subuids 100000-165535"
                    + " --add-subgids 100000-165535 $USER`) and install the uidmap package";
        }
        return "cannot " + what + ": the user namespace maps container ids 0.." + map.maxUid() + " (uids) and 0.."
                + map.maxGid() + " (gids); give the user a larger range in /etc/subuid and /etc/subgid";
    }
}
