package dev.jbuild.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Setting a run's {@link ResourceLimit}s, inside the agent: the command is started through util-linux
 * {@code prlimit}, which sets them on itself and execs the rest, so the command and everything it starts
 * inherit them. A process may lower its limits and raise a soft one up to its hard one, but raising a hard limit
 * needs CAP_SYS_RESOURCE in the initial user namespace, which a rootless build never has: such a request is
 * refused here, before anything is prepared, naming the limit, rather than left to prlimit's
 * "Operation not permitted".
 */
final class ResourceLimits {
    /** CAP_SYS_RESOURCE's bit in the capability sets of {@code /proc/PID/status}. */
    private static final int CAP_SYS_RESOURCE = 24;

    private ResourceLimits() {
    }

    /**
     * Refuses limits this process cannot set: a hard limit above its own without the right to raise it, or
     * {@code nofile} above the kernel's {@code fs.nr_open}, which nobody may exceed.
     */
    static void check(List<ResourceLimit> wanted, IdMapping mapping) throws SandboxException {
        if (wanted.isEmpty()) {
            return;
        }
        String problem = problem(wanted, hardLimits(read(Path.of("/proc/self/limits"))),
                cannotRaise(mapping, read(Path.of("/proc/self/status"))), nrOpen());
        if (problem != null) {
            throw new SandboxException(problem);
        }
    }

    /**
     * What makes {@code wanted} impossible, or null. {@code current}: hard limits by name; {@code cannotRaise}:
     * who cannot raise them ({@link #cannotRaise}), null if this process can.
     */
    static String problem(List<ResourceLimit> wanted, Map<String, Long> current, String cannotRaise, long nrOpen) {
        for (ResourceLimit limit : wanted) {
            Long now = current.get(limit.name());
            if (cannotRaise != null && now != null && above(limit.hard(), now)) {
                return "--ulimit " + limit + ": the hard limit " + ResourceLimit.text(limit.hard()) + " is above the"
                        + " build's own hard limit of " + limit.name() + ", " + ResourceLimit.text(now) + ", which "
                        + cannotRaise + " cannot raise (that needs CAP_SYS_RESOURCE outside any user namespace); ask"
                        + " for at most " + ResourceLimit.text(now) + ", or start jbuild with a higher hard limit";
            }
            if (limit.name().equals("nofile") && nrOpen > 0 && above(limit.hard(), nrOpen)) {
                return "--ulimit " + limit + ": the kernel allows at most " + nrOpen + " open files per process"
                        + " (fs.nr_open)";
            }
        }
        return null;
    }

    /** {@code a > b} where {@link ResourceLimit#UNLIMITED} is above every number. */
    static boolean above(long a, long b) {
        if (a == ResourceLimit.UNLIMITED) {
            return b != ResourceLimit.UNLIMITED;
        }
        return b != ResourceLimit.UNLIMITED && a > b;
    }

    /**
     * Hard limits by {@link ResourceLimit#NAMES name} from {@code /proc/PID/limits} text: a label, then the
     * soft and the hard limit ({@code unlimited} or a number), then maybe a unit.
     */
    static Map<String, Long> hardLimits(String procLimits) {
        Map<String, String> names = new HashMap<>();
        ResourceLimit.NAMES.forEach((name, label) -> names.put(label, name));
        Map<String, Long> hard = new HashMap<>();
        for (String line : procLimits.split("\n")) {
            for (Map.Entry<String, String> row : names.entrySet()) {
                if (line.startsWith(row.getKey() + " ")) {
                    String[] fields = line.substring(row.getKey().length()).strip().split("\\s+");
                    if (fields.length >= 2) {
                        hard.put(row.getValue(), fields[1].equals("unlimited") ? ResourceLimit.UNLIMITED
                                : Long.parseLong(fields[1]));
                    }
                }
            }
        }
        return hard;
    }

    /**
     * Who this process is if it may not raise hard limits, for the message; null if it may. Only a process
     * outside any user namespace (jbuild as root, mapped as {@link IdMapping.Kind#IDENTITY}) with
     * CAP_SYS_RESOURCE in its effective set may: a container's root often lacks it (docker's default
     * capabilities do not include it).
     */
    static String cannotRaise(IdMapping mapping, String procStatus) {
        if (mapping.kind() != IdMapping.Kind.IDENTITY) {
            return "a rootless build";
        }
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) {
                long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                if ((caps & (1L << CAP_SYS_RESOURCE)) != 0) {
                    return null;
                }
            }
        }
        return "root without CAP_SYS_RESOURCE (as in a container with docker's default capabilities)";
    }

    /** The words that start the command with the limits set ({@code prlimit OPTIONS --}); none for no limits. */
    static List<String> prlimitCommand(String prlimit, List<ResourceLimit> limits) {
        if (limits.isEmpty()) {
            return List.of();
        }
        List<String> words = new ArrayList<>();
        words.add(prlimit);
        for (ResourceLimit limit : limits) {
            words.add(limit.prlimitOption());
        }
        words.add("--");
        return words;
    }

    private static long nrOpen() {
        try {
            return Long.parseLong(read(Path.of("/proc/sys/fs/nr_open")).strip());
        } catch (SandboxException | NumberFormatException e) {
            return 0; // unknown: prlimit's own error stands
        }
    }

    /** Read as a stream: procfs reports a size of 0, and a read sized by it can come back short. */
    private static String read(Path file) throws SandboxException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new SandboxException("cannot read " + file + " to check --ulimit: " + e.getMessage(), e);
        }
    }
}
