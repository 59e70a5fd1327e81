package dev.jbuild.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * podman with a private image store in a temporary directory (deleted on {@link #close()}), so
 * tests neither see nor leave images in the machine's {@code /var/lib/containers}, and can run in
 * parallel. Storage driver {@code vfs}: it needs no kernel feature, and test images are tiny.
 *
 * <p>Works around two restrictions of sandboxed machines (detected, not assumed; on a plain Debian
 * 12 machine with cgroup v2 and all capabilities, podman runs unmodified):
 * <ul>
 *   <li><b>No {@code CAP_SYS_RESOURCE}</b> (root without it cannot raise rlimits): podman's default
 *       {@code nofile}/{@code nproc} limits (about 10⁶) make crun fail with {@code setrlimit
 *       RLIMIT_NOFILE: Operation not permitted}; containers get {@link #MODEST_LIMITS} instead.</li>
 *   <li><b>Hybrid cgroups</b> (v1 controllers, plus cgroup2 at {@code /sys/fs/cgroup/unified} with a
 *       controller such as {@code hugetlb} in it): crun refuses to start anything ("cgroups in hybrid
 *       mode not supported, drop all controllers from cgroupv2"). As root, podman is then run in a
 *       private mount namespace where that cgroup2 mount is lazily unmounted, so crun sees plain
 *       cgroup v1; the host's mounts are untouched. Rootless podman has no such way out and cannot
 *       run containers on such a machine ({@link #canRunContainers()} is false).</li>
 * </ul>
 */
public final class Podman implements AutoCloseable {

    /** Limits that are below the hard limits of any reasonable machine. */
    public static final List<String> MODEST_LIMITS = List.of("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096");

    private static final int CAP_SYS_RESOURCE = 24;
    private static final Path UNIFIED_CGROUP = Path.of("/sys/fs/cgroup/unified");

    private final Path directory;

    private Podman(Path directory) {
        this.directory = directory;
    }

    public static Podman withPrivateStorage() {
        ExternalTool.require("podman");
        ExternalTool.require("crun");
        try {
            return new Podman(Files.createTempDirectory("jbuild-podman-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A podman command on this private store: {@code podman GLOBAL-OPTIONS arguments…}. */
    public ExternalTool command(String... arguments) {
        List<String> commandLine = new ArrayList<>();
        if (hybridCgroupsBlockCrun() && isRoot()) {
            commandLine.addAll(List.of("unshare", "--mount", "--propagation", "private",
                    "sh", "-c", "umount -l " + UNIFIED_CGROUP + " && exec \"$@\"", "podman-without-unified-cgroup"));
        }
        commandLine.add(ExternalTool.require("podman").toString());
        commandLine.addAll(List.of(
                "--root", directory.resolve("root").toString(),
                "--runroot", directory.resolve("run").toString(),
                "--tmpdir", directory.resolve("tmp").toString(),
                "--storage-driver", "vfs",
                "--cgroup-manager", "cgroupfs",
                "--events-backend", "file"));
        commandLine.addAll(List.of(arguments));
        return ExternalTool.command(commandLine);
    }

    /**
     * {@code podman run --rm --network none [limits] image command…}, asserted successful.
     * {@code image} is anything podman takes, e.g. {@code oci:/layout:tag} or a stored image id.
     */
    public ExternalTool.Result run(String image, String... command) {
        List<String> arguments = new ArrayList<>(List.of("run", "--rm", "--network", "none"));
        if (!hasCapability(CAP_SYS_RESOURCE)) {
            arguments.addAll(MODEST_LIMITS);
        }
        arguments.add(image);
        arguments.addAll(List.of(command));
        return command(arguments.toArray(String[]::new)).runSuccessfully();
    }

    /** Whether podman can start containers on this machine as this user (see the class comment). */
    public static boolean canRunContainers() {
        return isRoot() || !hybridCgroupsBlockCrun();
    }

    /** Why {@link #canRunContainers()} is false, for messages. */
    public static String whyContainersCannotRun() {
        return canRunContainers() ? "they can"
                : "cgroup2 at " + UNIFIED_CGROUP + " has controllers (hybrid cgroups): crun refuses to run,"
                        + " and only root can hide that mount";
    }

    public Path storageDirectory() {
        return directory;
    }

    /**
     * Deletes the private store (rootless stores hold files of mapped ids: cleaned through {@code podman
     * unshare}). A {@code --rm} container's cleanup process ({@code podman container cleanup}, started by
     * conmon) can still be writing to the store for a moment after {@code podman run} returns, so a
     * tree that gains entries while it is deleted is deleted again, for a few seconds at most.
     */
    @Override
    public void close() {
        for (int attempt = 1; ; attempt++) {
            try {
                if (!isRoot()) {
                    command("unshare", "rm", "-rf", directory.resolve("root").toString()).run();
                }
                TempFiles.deleteRecursively(directory);
                return;
            } catch (UncheckedIOException e) {
                if (attempt == 20) {
                    throw e;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Whether this process runs with effective uid 0 (the {@code Uid:} line of /proc/self/status). */
    static boolean isRoot() {
        String uids = statusField("Uid:");
        return uids != null && uids.split("\\s+")[1].equals("0");
    }

    /** Hybrid cgroup layout whose cgroup2 part has controllers: crun 1.x refuses to work then. */
    static boolean hybridCgroupsBlockCrun() {
        try {
            Path controllers = UNIFIED_CGROUP.resolve("cgroup.controllers");
            return Files.exists(controllers) && !Files.readString(controllers).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this process has a capability in its effective set ({@code CapEff} of /proc/self/status). */
    static boolean hasCapability(int capability) {
        String effective = statusField("CapEff:");
        try {
            return effective == null || (Long.parseUnsignedLong(effective, 16) & (1L << capability)) != 0;
        } catch (NumberFormatException e) {
            return true; // an unexpected format: assume a normal machine
        }
    }

    private static String statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return line.substring(name.length()).strip();
                }
            }
        } catch (IOException e) {
            // Not Linux.
        }
        return null;
    }
}
