package dev.jbuild.store;

import dev.jbuild.image.Digest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One line of the store's build record ({@link BuildRecords}): who built what, from what, and how it
 * ended. Plain data the CLI fills in; the store only keeps it. It holds names and digests, never a
 * value a build was given in confidence: build arguments and secrets by name only.
 *
 * @param id         a short random id ({@code jbuild history ID})
 * @param started    when the build started (after its Dockerfile was read)
 * @param finished   when it ended, in success or failure
 * @param user       the name of the real uid's account (not the JVM's {@code user.name}), or null
 * @param uid        the real numeric uid of the process, or null when unknown
 * @param host       the host name (the kernel's node name), or null
 * @param invocation what the command line asked for
 * @param context    the digest of the build context as the build read it, or null
 * @param materials  the images and sources the build read, each by digest (base images, {@code --from}
 *                   images, {@code ADD} URLs, git sources)
 * @param outcome    the exit status and what was built
 */
public record BuildRecord(String id, Instant started, Instant finished, String user, Long uid, String host,
        Invocation invocation, Digest context, List<Material> materials, Outcome outcome) {

    public BuildRecord {
        materials = List.copyOf(materials);
    }

    /** {@code finished - started}. */
    public Duration duration() {
        return Duration.between(started, finished);
    }

    /**
     * The flags that decide the result.
     *
     * @param tags       the names asked for (full form)
     * @param target     {@code --target}, or null
     * @param platforms  the platforms built
     * @param buildArgs  the names of {@code --build-arg}s, never their values
     * @param secrets    the ids of {@code --secret}s, never their values or sources
     * @param dockerfile sha256 of the Dockerfile's bytes as read (also from standard input)
     */
    public record Invocation(List<String> tags, String target, List<String> platforms, List<String> buildArgs,
            List<String> secrets, Digest dockerfile) {

        public Invocation {
            tags = List.copyOf(tags);
            platforms = List.copyOf(platforms);
            buildArgs = List.copyOf(buildArgs);
            secrets = List.copyOf(secrets);
        }
    }

    /**
     * An input by digest, as in-toto's resource descriptors: a package URL ({@code pkg:docker/...}) or a
     * URL, and its digests by algorithm ({@code sha256} → hex).
     */
    public record Material(String uri, Map<String, String> digest) {

        public Material {
            digest = Map.copyOf(digest);
        }
    }

    /**
     * How the build ended.
     *
     * @param exitCode the command's exit code (0 for success)
     * @param error    the one-line error message of a failure, else null
     * @param manifest the image manifest (or index) digest, null when no image was made
     * @param config   the config digest (the image ID), or null
     * @param pushed   the references pushed, each {@code name@sha256:...}
     * @param steps    how many steps ran or were looked up
     * @param cached   how many of them came from the build cache
     */
    public record Outcome(int exitCode, String error, Digest manifest, Digest config, List<String> pushed, int steps,
            int cached) {

        public Outcome {
            pushed = List.copyOf(pushed);
        }
    }
}
