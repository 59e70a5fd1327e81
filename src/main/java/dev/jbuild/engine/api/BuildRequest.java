package dev.jbuild.engine.api;

import dev.jbuild.context.DockerIgnore;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.sandbox.HostEntry;
import dev.jbuild.sandbox.Isolation;
import dev.jbuild.sandbox.ResourceLimit;
import dev.jbuild.sandbox.Snapshotter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one build needs, already checked by the caller.
 *
 * @param dockerfile       the parsed Dockerfile
 * @param plan             its stages for this target and platform
 * @param contextDir       the build context directory (a tar context is extracted first)
 * @param ignore           the .dockerignore rules for the context
 * @param namedContexts    {@code --build-context} values by name
 * @param platform         the platform being built
 * @param tags             names to tag the result with in the store, full form
 * @param labels           {@code --label} values, added to the final config
 * @param annotations      {@code --annotation} values, added to the manifest
 * @param sourceDateEpoch  {@code SOURCE_DATE_EPOCH}: clamps file times and sets {@code created}; null for now
 * @param compression      layer compression
 * @param outputs          exports besides the store
 * @param pull             look up every base image in its registry even when the store has it ({@code --pull})
 * @param push             push the tags to their registries after the build ({@code --push})
 * @param secrets          {@code --secret} files by id, for {@code RUN --mount=type=secret}; never logged or stored
 * @param network          the default network of RUN steps: {@code host} or {@code none}
 * @param snapshotter      how RUN gets a writable root filesystem
 * @param isolation        how RUN steps are isolated: namespaces (default) or chroot
 * @param sshSockets       {@code --ssh} agent sockets by id, for {@code RUN --mount=type=ssh}
 * @param descriptorAnnotations {@code --annotation} values for descriptors and the index
 * @param extraHosts       {@code --add-host} lines for the {@code /etc/hosts} of every RUN step
 * @param ulimits          {@code --ulimit} resource limits of every RUN step, one per name
 * @param shmSize          {@code --shm-size}: the size of every RUN step's {@code /dev/shm} in bytes, 0 for the default
 */
public record BuildRequest(
        Dockerfile dockerfile,
        BuildPlan plan,
        Path contextDir,
        DockerIgnore ignore,
        Map<String, NamedContext> namedContexts,
        Platform platform,
        List<String> tags,
        Map<String, String> labels,
        Map<String, String> annotations,
        Instant sourceDateEpoch,
        Compression compression,
        List<OutputSpec> outputs,
        boolean pull,
        boolean push,
        Map<String, Path> secrets,
        String network,
        Snapshotter snapshotter,
        Isolation isolation,
        Map<String, Path> sshSockets,
        DescriptorAnnotations descriptorAnnotations,
        List<HostEntry> extraHosts,
        List<ResourceLimit> ulimits,
        long shmSize) {

    /** Default isolation, no SSH agents, no extra hosts, no limits, the default /dev/shm. */
    public BuildRequest(Dockerfile dockerfile, BuildPlan plan, Path contextDir, DockerIgnore ignore,
            Map<String, NamedContext> namedContexts, Platform platform, List<String> tags, Map<String, String> labels,
            Map<String, String> annotations, Instant sourceDateEpoch, Compression compression,
            List<OutputSpec> outputs, boolean pull, boolean push, Map<String, Path> secrets, String network,
            Snapshotter snapshotter) {
        this(dockerfile, plan, contextDir, ignore, namedContexts, platform, tags, labels, annotations, sourceDateEpoch,
                compression, outputs, pull, push, secrets, network, snapshotter, Isolation.AUTO, Map.of(), DescriptorAnnotations.NONE,
                List.of(), List.of(), 0);
    }

    /**
     * This request as one platform's part of a multi-platform build: no names, outputs or push,
     * which belong to the index that joins the platforms.
     */
    public BuildRequest asPlatformPart() {
        return new BuildRequest(dockerfile, plan, contextDir, ignore, namedContexts, platform, List.of(), labels, annotations,
                sourceDateEpoch, compression, List.of(), pull, false, secrets, network, snapshotter, isolation, sshSockets,
                descriptorAnnotations, extraHosts, ulimits, shmSize);
    }

    public BuildRequest {
        namedContexts = Map.copyOf(namedContexts);
        tags = List.copyOf(tags);
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        outputs = List.copyOf(outputs);
        secrets = Map.copyOf(secrets);
        isolation = isolation == null ? Isolation.AUTO : isolation;
        sshSockets = Map.copyOf(sshSockets);
        descriptorAnnotations = descriptorAnnotations == null ? DescriptorAnnotations.NONE : descriptorAnnotations;
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
        ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
        if (shmSize < 0) {
            throw new IllegalArgumentException("negative --shm-size: " + shmSize);
        }
    }
}
