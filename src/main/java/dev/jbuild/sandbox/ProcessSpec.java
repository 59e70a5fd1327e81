package dev.jbuild.sandbox;

import java.util.List;
import java.util.Objects;

/**
 * What to run and how.
 *
 * @param argv     the program and its arguments, run without a shell; the program is looked up in the
 *                 container's {@code PATH} (from {@code env}, default {@link #DEFAULT_PATH})
 * @param env      {@code NAME=value} entries, the complete environment
 * @param cwd      absolute container path, resolved inside the root; created when missing (as runc does)
 * @param uid      container user id
 * @param gid      container primary group id
 * @param groups   supplementary container group ids
 * @param hostname the hostname (also in {@code /etc/hosts} and {@code /etc/hostname})
 * @param network  host or none
 * @param mounts   extra mounts
 * @param extraHosts lines added to {@code /etc/hosts} after the standard ones ({@code --add-host})
 * @param ulimits  resource limits of the command and everything it starts ({@code --ulimit}), at most one
 *                 per name; none: the agent's own limits, inherited
 * @param shmSize  the size of the {@code /dev/shm} tmpfs in bytes ({@code --shm-size}); 0 for tmpfs's
 *                 default (half of the RAM)
 */
public record ProcessSpec(List<String> argv, List<String> env, String cwd, long uid, long gid, List<Long> groups,
        String hostname, Network network, List<SandboxMount> mounts, List<HostEntry> extraHosts,
        List<ResourceLimit> ulimits, long shmSize) {

    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public ProcessSpec {
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        groups = List.copyOf(groups);
        mounts = List.copyOf(mounts);
        extraHosts = List.copyOf(extraHosts);
        ulimits = List.copyOf(ulimits);
        if (ulimits.stream().map(ResourceLimit::name).distinct().count() != ulimits.size()) {
            throw new IllegalArgumentException("two limits of one name: " + ulimits);
        }
        if (shmSize < 0) {
            throw new IllegalArgumentException("negative /dev/shm size: " + shmSize);
        }
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(hostname, "hostname");
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        for (String s : argv) {
            if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL in argv");
            }
        }
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq <= 0 || e.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment entries must be NAME=value: " + e);
            }
        }
        if (cwd == null || !cwd.startsWith("/")) {
            throw new IllegalArgumentException("cwd must be an absolute container path: " + cwd);
        }
        if (uid < 0 || gid < 0 || groups.stream().anyMatch(g -> g < 0)) {
            throw new IllegalArgumentException("negative id");
        }
        if (!hostname.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,62}")) {
            throw new IllegalArgumentException("invalid hostname: " + hostname);
        }
    }

    /** Root in {@code /}, default PATH, hostname "jbuild", host network, no mounts. */
    static ProcessSpec of(String... argv) {
        return new ProcessSpec(List.of(argv), List.of("PATH=" + DEFAULT_PATH), "/", 0, 0, List.of(), "jbuild",
                Network.HOST, List.of(), List.of(), List.of(), 0);
    }

    ProcessSpec withEnv(List<String> e) {
        return new ProcessSpec(argv, e, cwd, uid, gid, groups, hostname, network, mounts, extraHosts, ulimits, shmSize);
    }

    ProcessSpec withCwd(String c) {
        return new ProcessSpec(argv, env, c, uid, gid, groups, hostname, network, mounts, extraHosts, ulimits, shmSize);
    }

    ProcessSpec withUser(long u, long g, List<Long> supplementary) {
        return new ProcessSpec(argv, env, cwd, u, g, supplementary, hostname, network, mounts, extraHosts, ulimits, shmSize);
    }

    ProcessSpec withNetwork(Network n) {
        return new ProcessSpec(argv, env, cwd, uid, gid, groups, hostname, n, mounts, extraHosts, ulimits, shmSize);
    }

    ProcessSpec withHostname(String h) {
        return new ProcessSpec(argv, env, cwd, uid, gid, groups, h, network, mounts, extraHosts, ulimits, shmSize);
    }

    ProcessSpec withMounts(List<SandboxMount> m) {
        return new ProcessSpec(argv, env, cwd, uid, gid, groups, hostname, network, m, extraHosts, ulimits, shmSize);
    }

    ProcessSpec withUlimits(List<ResourceLimit> limits) {
        return new ProcessSpec(argv, env, cwd, uid, gid, groups, hostname, network, mounts, extraHosts, limits, shmSize);
    }

    ProcessSpec withShmSize(long bytes) {
        return new ProcessSpec(argv, env, cwd, uid, gid, groups, hostname, network, mounts, extraHosts, ulimits, bytes);
    }
}
