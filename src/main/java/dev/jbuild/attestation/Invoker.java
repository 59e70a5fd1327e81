package dev.jbuild.attestation;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who ran a build, and where: the point of a daemonless builder is that this is the person, not a
 * daemon. Read from the process and its environment, never from anything the Dockerfile controls.
 *
 * @param user   the login name of the real uid's account (not the JVM's {@code user.name}, which
 *               {@code -Duser.name=} in {@code JAVA_TOOL_OPTIONS} changes), or empty when unknown
 * @param uid    the numeric user id, or -1 where the system does not say
 * @param host   the host name
 * @param ciUrl  the CI job's URL when the environment says (GitHub Actions, GitLab CI, Jenkins,
 *               Buildkite, CircleCI), else null; it is also the provenance's builder id, as buildx sets it
 */
public record Invoker(String user, long uid, String host, String ciUrl) {

    /** The invoker of this process, with CI variables from {@code env}. */
    public static Invoker current(Map<String, String> env) {
        long uid = uid(Path.of("/proc/self/status"));
        return new Invoker(userName(uid), uid, hostName(env), ciUrl(env));
    }

    /**
     * The name of the account of {@code uid} (the process's real uid): the system's user database as
     * {@code getpwuid} answers (JDK's {@code UnixSystem}, which also sees NSS users), else {@code /etc/passwd}, else
     * empty. Never the JVM's {@code user.name}, which any {@code -Duser.name=} sets; only where the system has no
     * uid at all ({@code -1}: not Linux) is that property the answer.
     */
    public static String userName(long uid) {
        if (uid < 0) {
            return System.getProperty("user.name", "");
        }
        try {
            com.sun.security.auth.module.UnixSystem system = new com.sun.security.auth.module.UnixSystem();
            if (system.getUid() == uid && system.getUsername() != null && !system.getUsername().isEmpty()) {
                return system.getUsername();
            }
        } catch (LinkageError | RuntimeException e) {
            // no native support here: read the file
        }
        return fromPasswd(Path.of("/etc/passwd"), uid);
    }

    /** The name of the first {@code passwd} entry with {@code uid}, or empty. */
    static String fromPasswd(Path passwd, long uid) {
        try {
            for (String line : Files.readAllLines(passwd)) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 3 && !fields[0].isEmpty() && fields[2].equals(Long.toString(uid))) {
                    return fields[0];
                }
            }
        } catch (IOException | RuntimeException e) {
            // no such file: the name stays unknown
        }
        return "";
    }

    /** The CI job's URL, from the variables each CI system documents. */
    static String ciUrl(Map<String, String> env) {
        String server = env.get("GITHUB_SERVER_URL");
        String repository = env.get("GITHUB_REPOSITORY");
        String run = env.get("GITHUB_RUN_ID");
        if (server != null && repository != null && run != null) {
            String attempt = env.get("GITHUB_RUN_ATTEMPT");
            return server + "/" + repository + "/actions/runs/" + run + (attempt == null ? "" : "/attempts/" + attempt);
        }
        for (String name : new String[] {"CI_JOB_URL", "BUILD_URL", "BUILDKITE_BUILD_URL", "CIRCLE_BUILD_URL"}) {
            String url = env.get(name);
            if (url != null && !url.isBlank()) {
                return url;
            }
        }
        return null;
    }

    /** The real uid from {@code /proc/self/status} ({@code Uid: real effective saved fs}). */
    static long uid(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: the uid stays unknown
        }
        return -1;
    }

    /** The kernel's host name (no DNS lookup, which can take seconds), else $HOSTNAME, else Java's. */
    private static String hostName(Map<String, String> env) {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the environment and then Java
        }
        String fromEnv = env.get("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "";
        }
    }
}
