package dev.jbuild.sandbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One resource limit (rlimit) of every process of a run ({@code --ulimit NAME=SOFT[:HARD]}), with docker's
 * names and rules (go-units' {@code ParseUlimit}): a hard limit defaults to the soft one, the soft limit may
 * not exceed it, and {@link #UNLIMITED} ({@code -1}, or {@code unlimited}) is no limit.
 *
 * @param name one of {@link #NAMES}
 * @param soft the soft limit, or {@link #UNLIMITED}
 * @param hard the hard limit, or {@link #UNLIMITED}
 */
public record ResourceLimit(String name, long soft, long hard) {

    /** No limit (RLIM_INFINITY): docker writes it {@code -1}. */
    public static final long UNLIMITED = -1;

    /**
     * go-units' names, each with its row in {@code /proc/PID/limits} (the kernel's wording). Not {@code as}:
     * docker leaves it out too.
     */
    static final Map<String, String> NAMES = names();

    public ResourceLimit {
        Objects.requireNonNull(name, "name");
        if (!NAMES.containsKey(name)) {
            throw new IllegalArgumentException("unknown limit " + name + " (one of " + String.join(", ", NAMES.keySet())
                    + ")");
        }
        if (soft < UNLIMITED || hard < UNLIMITED) {
            throw new IllegalArgumentException("a limit is a number of 0 or more, or -1 (unlimited)");
        }
        if (hard != UNLIMITED && soft == UNLIMITED) {
            throw new IllegalArgumentException("the soft limit is unlimited but the hard limit is " + hard
                    + ": the soft limit must not exceed the hard limit");
        }
        if (hard != UNLIMITED && soft > hard) {
            throw new IllegalArgumentException("the soft limit " + soft + " is above the hard limit " + hard);
        }
    }

    /**
     * {@code NAME=SOFT[:HARD]}, as docker's {@code --ulimit} takes it ({@code nofile=1024:2048},
     * {@code nproc=512}, {@code core=-1}); {@code unlimited} is taken for {@code -1} too.
     *
     * @throws IllegalArgumentException saying what is wrong (not naming the flag: the caller does)
     */
    public static ResourceLimit parse(String value) {
        int eq = value.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("want NAME=SOFT[:HARD], e.g. nofile=1024:2048");
        }
        String name = value.substring(0, eq);
        if (!NAMES.containsKey(name)) {
            throw new IllegalArgumentException("unknown limit " + name + " (one of " + String.join(", ", NAMES.keySet())
                    + ")");
        }
        String[] values = value.substring(eq + 1).split(":", -1);
        if (values.length > 2) {
            throw new IllegalArgumentException("too many values: at most SOFT:HARD");
        }
        long soft = number(values[0]);
        long hard = values.length == 2 ? number(values[1]) : soft;
        return new ResourceLimit(name, soft, hard);
    }

    private static long number(String text) {
        if (text.equals("-1") || text.equals("unlimited")) {
            return UNLIMITED;
        }
        if (!text.matches("[0-9]{1,19}")) {
            throw new IllegalArgumentException("invalid number " + (text.isEmpty() ? "(empty)" : text)
                    + ": a limit is a number of 0 or more, or -1 / unlimited");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid number " + text + ": too large");
        }
    }

    /** {@code NAME=SOFT:HARD} with {@code unlimited} for no limit: one spelling per limit (the cache key's). */
    @Override
    public String toString() {
        return name + "=" + text(soft) + ":" + text(hard);
    }

    /** The util-linux {@code prlimit} option that sets this limit: {@code --nofile=1024:2048}. */
    String prlimitOption() {
        return "--" + name + "=" + text(soft) + ":" + text(hard);
    }

    static String text(long limit) {
        return limit == UNLIMITED ? "unlimited" : Long.toString(limit);
    }

    private static Map<String, String> names() {
        Map<String, String> n = new LinkedHashMap<>();
        n.put("core", "Max core file size");
        n.put("cpu", "Max cpu time");
        n.put("data", "Max data size");
        n.put("fsize", "Max file size");
        n.put("locks", "Max file locks");
        n.put("memlock", "Max locked memory");
        n.put("msgqueue", "Max msgqueue size");
        n.put("nice", "Max nice priority");
        n.put("nofile", "Max open files");
        n.put("nproc", "Max processes");
        n.put("rss", "Max resident set");
        n.put("rtprio", "Max realtime priority");
        n.put("rttime", "Max realtime timeout");
        n.put("sigpending", "Max pending signals");
        n.put("stack", "Max stack size");
        return Collections.unmodifiableMap(n);
    }
}
