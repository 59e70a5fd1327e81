package dev.jbuild.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How container ids map to host ids.
 *
 * <ul>
 *   <li>{@link Kind#IDENTITY}: jbuild runs as real root; no user namespace, container id = host id;</li>
 *   <li>{@link Kind#SUBORDINATE}: container 0 is the caller, container 1..count are the caller's first
 *       {@code /etc/subuid} / {@code /etc/subgid} range (as Podman and Buildah map);</li>
 *   <li>{@link Kind#SINGLE}: only container 0 (the caller) exists; files can't be given other owners.</li>
 * </ul>
 */
public record IdMapping(Kind kind, long hostUid, long hostGid, long subUidStart, long subUidCount, long subGidStart,
        long subGidCount) {

    public enum Kind { IDENTITY, SUBORDINATE, SINGLE }

    /** The largest container uid that exists in this mapping. */
    long maxUid() {
        return switch (kind) {
            case IDENTITY -> 0xfffffffeL;
            case SUBORDINATE -> subUidCount;
            case SINGLE -> 0;
        };
    }

    long maxGid() {
        return switch (kind) {
            case IDENTITY -> 0xfffffffeL;
            case SUBORDINATE -> subGidCount;
            case SINGLE -> 0;
        };
    }

    /** The container uid of a host uid, or -1 if it is not mapped. */
    long containerUid(long host) {
        return toContainer(host, hostUid, subUidStart, subUidCount);
    }

    private long toContainer(long host, long self, long start, long count) {
        if (kind == Kind.IDENTITY) {
            return host;
        }
        if (host == self) {
            return 0;
        }
        if (kind == Kind.SUBORDINATE && host >= start && host < start + count) {
            return host - start + 1;
        }
        return -1;
    }

    /** The util-linux {@code unshare} options that create a user namespace with this mapping (none for identity). */
    List<String> unshareOptions() {
        List<String> o = new ArrayList<>();
        switch (kind) {
            case IDENTITY -> { }
            case SINGLE -> o.add("--map-root-user");
            case SUBORDINATE -> {
                o.add("--map-users=" + subUidStart + ",1," + subUidCount);
                o.add("--map-groups=" + subGidStart + ",1," + subGidCount);
                o.add("--map-root-user");
            }
        }
        return o;
    }

    /** The mapping for the current process, from its ids and {@code /etc/subuid}, {@code /etc/subgid}. */
    static IdMapping detect(long uid, long gid, String userName, Path subuid, Path subgid) throws IOException {
        if (uid == 0) {
            return new IdMapping(Kind.IDENTITY, 0, gid, 0, 0, 0, 0);
        }
        Optional<long[]> u = firstRange(subuid, userName, uid);
        Optional<long[]> g = firstRange(subgid, userName, uid);
        if (u.isEmpty() || g.isEmpty()) {
            return new IdMapping(Kind.SINGLE, uid, gid, 0, 0, 0, 0);
        }
        return new IdMapping(Kind.SUBORDINATE, uid, gid, u.get()[0], u.get()[1], g.get()[0], g.get()[1]);
    }

    /** The first {@code start:count} range for the user (by name or numeric id), as shadow-utils reads it. */
    static Optional<long[]> firstRange(Path file, String userName, long uid) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split(":");
            if (f.length != 3 || !(f[0].equals(userName) || f[0].equals(Long.toString(uid)))) {
                continue;
            }
            try {
                long start = Long.parseLong(f[1]);
                long count = Long.parseLong(f[2]);
                if (start > 0 && count > 0) {
                    return Optional.of(new long[] {start, count});
                }
            } catch (NumberFormatException e) {
                // shadow-utils skips malformed lines too
            }
        }
        return Optional.empty();
    }
}
