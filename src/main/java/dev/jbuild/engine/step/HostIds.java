package dev.jbuild.engine.step;

import com.sun.security.auth.module.UnixSystem;

/**
 * The owner of a host file as a RUN that bind-mounts it sees it, for its cache key: the build user's own uid
 * and gid are 0 in the sandbox (its user namespace maps container root to the caller; the chroot isolation
 * runs as root, where 0 is 0 anyway), any other id is keyed as the host id it is. So a checkout made by
 * another user has the same key, and a file given to someone else does not.
 */
final class HostIds {

    private static final long[] CALLER = caller();

    private HostIds() {}

    /** {@code "0:0"} for the caller's own ids, {@code "host 1001"} for another's, one field each. */
    static String asSeen(long uid, long gid) {
        return seen(uid, CALLER[0]) + ":" + seen(gid, CALLER[1]);
    }

    private static String seen(long id, long caller) {
        return id == caller ? "0" : "host " + id;
    }

    private static long[] caller() {
        try {
            UnixSystem unix = new UnixSystem();
            return new long[] {unix.getUid(), unix.getGid()};
        } catch (LinkageError | RuntimeException e) { // not a Unix JVM: no RUN here, keep keys computable
            return new long[] {-1, -1};
        }
    }
}
