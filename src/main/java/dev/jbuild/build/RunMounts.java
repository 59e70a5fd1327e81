package dev.jbuild.build;

import dev.jbuild.sandbox.SandboxMount;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code RUN --mount=...} specifications in BuildKit's syntax: comma-separated {@code key=value}
 * fields (bare {@code ro}/{@code rw}/{@code readonly} allowed), one mount per flag.
 */
final class RunMounts {

    /** What one mount needs from the build to become a sandbox mount. */
    interface Sources {
        /** A named secret's file on the host, or null when no {@code --secret} gave it. */
        Path secret(String id);

        /** The host directory of a bind mount's source: the context, or a named context directory. */
        Path bindRoot(String from);

        Path cacheRoot();

        /**
         * The cache directory id to mount for {@code id} under BuildKit's {@code sharing} mode:
         * {@code shared} as is, {@code locked} once no other build uses it, {@code private} as is
         * when free, else a fresh private cache. The caller holds the locks until the step ends.
         */
        default String cacheId(String id, String sharing) {
            return id;
        }

        /** The SSH agent socket forwarded under {@code id} with {@code --ssh}, or null. */
        default Path ssh(String id) {
            return null;
        }
    }

    private RunMounts() {}

    static SandboxMount parse(String spec, String workdir, Sources sources) {
        return parse(spec, workdir, sources, 0);
    }

    /** {@code sshIndex}: how many {@code type=ssh} mounts this RUN had before this one (names the default target). */
    static SandboxMount parse(String spec, String workdir, Sources sources, int sshIndex) {
        Map<String, String> fields = fields(spec);
        String type = fields.getOrDefault("type", "bind").toLowerCase(Locale.ROOT);
        String target = first(fields, "target", "dst", "destination");
        if (target != null && !target.startsWith("/")) {
            target = workdir.endsWith("/") ? workdir + target : workdir + "/" + target;
        }
        switch (type) {
            case "bind": {
                require(target, "bind", "target");
                String from = fields.get("from");
                String source = first(fields, "source", "src");
                boolean readWrite = fields.containsKey("rw") || fields.containsKey("readwrite")
                        || "false".equals(fields.get("ro")) || "false".equals(fields.get("readonly"));
                return new SandboxMount.Bind(sources.bindRoot(from), source == null ? "/" : source, target, readWrite);
            }
            case "cache": {
                require(target, "cache", "target");
                String sharing = fields.getOrDefault("sharing", "shared");
                if (!sharing.equals("shared") && !sharing.equals("private") && !sharing.equals("locked")) {
                    throw new IllegalArgumentException("invalid cache sharing " + sharing + ": shared, private or locked");
                }
                if (fields.containsKey("from")) {
                    throw new IllegalArgumentException("RUN --mount=type=cache,from=...: not implemented yet");
                }
                String id = sources.cacheId(fields.getOrDefault("id", target), sharing);
                int mode = fields.containsKey("mode") ? Integer.parseInt(fields.get("mode"), 8) : 0755;
                long uid = Long.parseLong(fields.getOrDefault("uid", "0"));
                long gid = Long.parseLong(fields.getOrDefault("gid", "0"));
                return new SandboxMount.Cache(sources.cacheRoot(), id, target, uid, gid, mode);
            }
            case "tmpfs": {
                require(target, "tmpfs", "target");
                long size = fields.containsKey("size") ? Long.parseLong(fields.get("size")) : 0;
                return new SandboxMount.Tmpfs(target, size);
            }
            case "secret": {
                String id = fields.get("id");
                if (id == null) {
                    String t = target == null ? null : target.substring(target.lastIndexOf('/') + 1);
                    id = t;
                }
                if (id == null || id.isEmpty()) {
                    throw new IllegalArgumentException("RUN --mount=type=secret needs id= or target=");
                }
                Path source = sources.secret(id);
                if (source == null) {
                    // BuildKit fails a required secret and skips an optional one; only required ones reach here.
                    throw new IllegalArgumentException("secret " + id + " not found: pass it with --secret id=" + id
                            + ",src=FILE (or env=VARIABLE)");
                }
                int mode = fields.containsKey("mode") ? Integer.parseInt(fields.get("mode"), 8) : 0400;
                long uid = Long.parseLong(fields.getOrDefault("uid", "0"));
                long gid = Long.parseLong(fields.getOrDefault("gid", "0"));
                return new SandboxMount.Secret(source, target != null ? target : "/run/secrets/" + id, uid, gid, mode);
            }
            case "ssh": {
                String id = fields.getOrDefault("id", "default");
                Path socket = sources.ssh(id);
                if (socket == null) {
                    throw new IllegalArgumentException("no SSH agent with id " + id + " was forwarded: pass --ssh "
                            + (id.equals("default") ? "default" : id + "=SOCKET") + " (the agent socket, e.g."
                            + " $SSH_AUTH_SOCK)");
                }
                int mode = fields.containsKey("mode") ? Integer.parseInt(fields.get("mode"), 8) : 0600;
                long uid = Long.parseLong(fields.getOrDefault("uid", "0"));
                long gid = Long.parseLong(fields.getOrDefault("gid", "0"));
                return new SandboxMount.SshAgent(socket, target != null ? target : "/run/buildkit/ssh_agent." + sshIndex,
                        uid, gid, mode);
            }
            default:
                throw new IllegalArgumentException("unsupported mount type " + type + ": bind, cache, tmpfs, secret or ssh");
        }
    }

    /**
     * True for {@code type=secret} mounts marked {@code required=false} whose secret is absent, and
     * {@code type=ssh} mounts whose agent was not forwarded and are not {@code required=true}: skipped, as in
     * BuildKit.
     */
    static boolean isOptionalMissingSecret(String spec, Sources sources) {
        Map<String, String> fields = fields(spec);
        if ("ssh".equalsIgnoreCase(fields.getOrDefault("type", "bind"))) {
            return !fields.getOrDefault("required", "false").equals("true")
                    && sources.ssh(fields.getOrDefault("id", "default")) == null;
        }
        if (!"secret".equalsIgnoreCase(fields.getOrDefault("type", "bind"))) {
            return false;
        }
        String required = fields.getOrDefault("required", "false");
        String target = first(fields, "target", "dst", "destination");
        String id = fields.getOrDefault("id", target == null ? "" : target.substring(target.lastIndexOf('/') + 1));
        return !required.equals("true") && sources.secret(id) == null;
    }

    static boolean isSsh(String spec) {
        return "ssh".equalsIgnoreCase(fields(spec).getOrDefault("type", "bind"));
    }

    private static Map<String, String> fields(String spec) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : spec.split(",")) {
            String trimmed = field.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            String key = (equals < 0 ? trimmed : trimmed.substring(0, equals)).toLowerCase(Locale.ROOT);
            String value = equals < 0 ? "true" : trimmed.substring(equals + 1);
            if (fields.put(key, value) != null) {
                throw new IllegalArgumentException("--mount " + spec + ": " + key + " given twice");
            }
        }
        return fields;
    }

    private static String first(Map<String, String> fields, String... keys) {
        for (String key : keys) {
            if (fields.containsKey(key)) {
                return fields.get(key);
            }
        }
        return null;
    }

    private static void require(String value, String type, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("RUN --mount=type=" + type + " needs " + field + "=");
        }
    }
}
