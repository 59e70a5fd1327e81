package dev.jbuild.api;

import dev.jbuild.dockerfile.KeyValues;
import dev.jbuild.dockerfile.MemorySize;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.sandbox.Isolation;
import dev.jbuild.sandbox.ResourceLimit;
import dev.jbuild.sandbox.Snapshotter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values of {@code jbuild build}'s plain flags turned into what a {@code BuildRequest} takes,
 * each checked as docker build checks it: a bad value is a usage error naming the flag, before any
 * work. Flags with their own syntax have their own class ({@link OutputSpecs}, {@link CacheSpecs},
 * {@link Secrets}, {@link ExtraHosts}, …).
 */
final class BuildFlagValues {
    private BuildFlagValues() {
    }

    /** {@code --build-arg} values in order; a bare KEY takes the environment's value, or is dropped when unset. */
    static Map<String, String> buildArgs(List<String> values, Map<String, String> env) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String arg : values) {
            int equals = arg.indexOf('=');
            if (equals == 0) {
                throw Problem.invalid("invalid --build-arg: " + arg);
            }
            if (equals > 0) {
                result.put(arg.substring(0, equals), arg.substring(equals + 1));
            } else if (env.get(arg) != null) {
                // Docker's rule: a bare name takes the caller's environment value, and is dropped when unset.
                result.put(arg, env.get(arg));
            }
        }
        return result;
    }

    /** {@code KEY=VALUE} values of {@code flag} ({@code --label}) in order. */
    static Map<String, String> keyValues(List<String> values, String flag) {
        try {
            return KeyValues.parse(values, flag);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid(e.getMessage());
        }
    }

    /** The --platform values, normalised and without repeats; the host's when none is given. */
    static List<Platform> targetPlatforms(List<String> values) {
        List<Platform> targets = new ArrayList<>();
        for (String text : values) {
            Platform platform = platform(text);
            if (!targets.contains(platform)) {
                targets.add(platform);
            }
        }
        return targets.isEmpty() ? List.of(Platform.host()) : targets;
    }

    private static Platform platform(String text) {
        try {
            return Platform.parse(text).normalize();
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("invalid --platform " + text + ": " + e.getMessage());
        }
    }

    /** {@code -t} names, else the {@code name=} of image outputs (buildx: {@code -t} replaces them). */
    static List<String> normalizedTags(List<String> tags, List<String> outputNames) {
        List<String> result = new ArrayList<>();
        for (String tag : tags.isEmpty() ? outputNames : tags) {
            ImageName name;
            try {
                name = ImageName.parse(tag);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("invalid tag " + tag + ": " + e.getMessage());
            }
            if (name.digest() != null) {
                throw Problem.invalid("invalid tag " + tag + ": a tag cannot contain a digest");
            }
            result.add(name.toString());
        }
        return result;
    }

    /** SOURCE_DATE_EPOCH from --build-arg (as BuildKit accepts it) or the environment; null when neither. */
    static Instant sourceDateEpoch(Map<String, String> buildArgs, Map<String, String> env) {
        String value = buildArgs.getOrDefault("SOURCE_DATE_EPOCH", env.get("SOURCE_DATE_EPOCH"));
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw Problem.invalid("invalid SOURCE_DATE_EPOCH " + value + ": expected seconds since 1970");
        }
    }

    static Compression compression(String value) {
        switch (value) {
            case "gzip":
                return Compression.GZIP;
            case "zstd":
                return Compression.ZSTD;
            case "uncompressed":
                return Compression.NONE;
            default:
                throw Problem.invalid("invalid --compression " + value + ": gzip, zstd or uncompressed");
        }
    }

    /** {@code --network}: host (also for docker's "default" and when not given) or none. */
    static String network(String value) {
        if (value == null) {
            return "host";
        }
        if (!value.equals("host") && !value.equals("none") && !value.equals("default")) {
            throw Problem.invalid("invalid --network " + value + ": host or none");
        }
        return value.equals("default") ? "host" : value;
    }

    /** {@code --ulimit} values, one per name (a later value of a name replaces the earlier, as docker's). */
    static List<ResourceLimit> ulimits(List<String> values) {
        Map<String, ResourceLimit> byName = new TreeMap<>();
        for (String value : values) {
            try {
                ResourceLimit limit = ResourceLimit.parse(value);
                byName.put(limit.name(), limit);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("invalid --ulimit " + value + ": " + e.getMessage());
            }
        }
        return List.copyOf(byName.values());
    }

    /** {@code --shm-size} in bytes; 0 (also when given as 0, as buildx) for the default. */
    static long shmSize(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return MemorySize.parse(value);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("invalid --shm-size " + value + ": " + e.getMessage());
        }
    }

    static Snapshotter snapshotter(String value) {
        try {
            return Snapshotter.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("invalid --snapshotter " + value + ": auto, overlay or copy");
        }
    }

    static Isolation isolation(String value) {
        switch (value) {
            case "auto":
            case "default": // docker build's name for the platform's default
            case "rootless":
                return Isolation.AUTO;
            case "chroot":
                return Isolation.CHROOT;
            case "oci":
                throw Problem.invalid("--isolation=oci: not implemented (jbuild isolates RUN"
                        + " with its own namespaces, see docs/rootless.md); use auto or chroot");
            default:
                throw Problem.invalid("invalid --isolation " + value + ": auto or chroot");
        }
    }
}
