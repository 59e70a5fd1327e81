package dev.jbuild.engine.api;

import dev.jbuild.context.DockerIgnore;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.git.SshSettings;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.sandbox.HostEntry;
import dev.jbuild.sandbox.Isolation;
import dev.jbuild.sandbox.ResourceLimit;
import dev.jbuild.sandbox.Snapshotter;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one build needs, already checked by the caller. Callers make one with {@link #builder}, which
 * holds the defaults; the record is the value the engine reads.
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
 * @param sshSockets       {@code --ssh} agent sockets by id, for {@code RUN --mount=type=ssh}; {@code default} is
 *                         also the agent of {@code ADD} from git over SSH, as in BuildKit
 * @param descriptorAnnotations {@code --annotation} values for descriptors and the index
 * @param extraHosts       {@code --add-host} lines for the {@code /etc/hosts} of every RUN step
 * @param ulimits          {@code --ulimit} resource limits of every RUN step, one per name
 * @param shmSize          {@code --shm-size}: the size of every RUN step's {@code /dev/shm} in bytes, 0 for the default
 * @param attestations     the provenance and SBOM attached to the image ({@code --provenance}, {@code --sbom})
 * @param sshKnownHosts    the {@code known_hosts} files that git over SSH checks host keys against
 * @param proxies          how {@code ADD} of a URL connects: the environment's proxies, as the registry client's
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
        long shmSize,
        AttestationOptions attestations,
        List<Path> sshKnownHosts,
        ProxySelector proxies) {

    /**
     * A request for {@code dockerfile} planned as {@code plan} for {@code platform} (the plan's platform args
     * are that platform's, so the two are given together), reading {@code contextDir}. Everything else starts
     * at its default, the one place those are written: no {@code .dockerignore} rules, named contexts, tags,
     * labels, annotations, outputs, secrets, SSH agents, extra hosts or limits; the build's start for
     * {@code created}; gzip layers; no pull, no push; host network (the CLI's default); automatic snapshotter
     * and isolation; the default {@code /dev/shm}; the known hosts of the user running the JVM, as {@code ssh} reads them.
     */
    public static Builder builder(Dockerfile dockerfile, BuildPlan plan, Path contextDir, Platform platform) {
        return new Builder(dockerfile, plan, contextDir, platform);
    }

    /** A builder that starts from this request, to change a few fields. */
    Builder toBuilder() {
        return new Builder(dockerfile, plan, contextDir, platform).ignore(ignore).namedContexts(namedContexts).tags(tags)
                .labels(labels).annotations(annotations).sourceDateEpoch(sourceDateEpoch).compression(compression)
                .outputs(outputs).pull(pull).push(push).secrets(secrets).network(network).snapshotter(snapshotter)
                .isolation(isolation).sshSockets(sshSockets).descriptorAnnotations(descriptorAnnotations)
                .extraHosts(extraHosts).ulimits(ulimits).shmSize(shmSize).attestations(attestations)
                .sshKnownHosts(sshKnownHosts).proxies(proxies);
    }

    /**
     * This request as one platform's part of a multi-platform build: no names, outputs or push,
     * which belong to the index that joins the platforms.
     */
    public BuildRequest asPlatformPart() {
        return toBuilder().tags(List.of()).outputs(List.of()).push(false).build();
    }

    /** The fields of a {@link BuildRequest} one by one; see the record for what each means. */
    public static final class Builder {
        private final Dockerfile dockerfile;
        private final BuildPlan plan;
        private final Path contextDir;
        private final Platform platform;
        private DockerIgnore ignore = DockerIgnore.none();
        private Map<String, NamedContext> namedContexts = Map.of();
        private List<String> tags = List.of();
        private Map<String, String> labels = Map.of();
        private Map<String, String> annotations = Map.of();
        private Instant sourceDateEpoch;
        private Compression compression = Compression.GZIP;
        private List<OutputSpec> outputs = List.of();
        private boolean pull;
        private boolean push;
        private Map<String, Path> secrets = Map.of();
        private String network = "host";
        private Snapshotter snapshotter = Snapshotter.AUTO;
        private Isolation isolation = Isolation.AUTO;
        private Map<String, Path> sshSockets = Map.of();
        private DescriptorAnnotations descriptorAnnotations = DescriptorAnnotations.NONE;
        private List<HostEntry> extraHosts = List.of();
        private List<ResourceLimit> ulimits = List.of();
        private long shmSize;
        private AttestationOptions attestations = AttestationOptions.NONE;
        private List<Path> sshKnownHosts = SshSettings.userKnownHosts();
        private ProxySelector proxies = HttpClient.Builder.NO_PROXY;

        private Builder(Dockerfile dockerfile, BuildPlan plan, Path contextDir, Platform platform) {
            this.dockerfile = dockerfile;
            this.plan = plan;
            this.contextDir = contextDir;
            this.platform = platform;
        }

        public Builder ignore(DockerIgnore ignore) {
            this.ignore = ignore;
            return this;
        }

        public Builder namedContexts(Map<String, NamedContext> namedContexts) {
            this.namedContexts = namedContexts;
            return this;
        }

        public Builder tags(List<String> tags) {
            this.tags = tags;
            return this;
        }

        public Builder labels(Map<String, String> labels) {
            this.labels = labels;
            return this;
        }

        public Builder annotations(Map<String, String> annotations) {
            this.annotations = annotations;
            return this;
        }

        /** Null (the default) for the build's start. */
        public Builder sourceDateEpoch(Instant sourceDateEpoch) {
            this.sourceDateEpoch = sourceDateEpoch;
            return this;
        }

        public Builder compression(Compression compression) {
            this.compression = compression;
            return this;
        }

        public Builder outputs(List<OutputSpec> outputs) {
            this.outputs = outputs;
            return this;
        }

        public Builder pull(boolean pull) {
            this.pull = pull;
            return this;
        }

        public Builder push(boolean push) {
            this.push = push;
            return this;
        }

        public Builder secrets(Map<String, Path> secrets) {
            this.secrets = secrets;
            return this;
        }

        public Builder network(String network) {
            this.network = network;
            return this;
        }

        public Builder snapshotter(Snapshotter snapshotter) {
            this.snapshotter = snapshotter;
            return this;
        }

        public Builder isolation(Isolation isolation) {
            this.isolation = isolation;
            return this;
        }

        public Builder sshSockets(Map<String, Path> sshSockets) {
            this.sshSockets = sshSockets;
            return this;
        }

        public Builder descriptorAnnotations(DescriptorAnnotations descriptorAnnotations) {
            this.descriptorAnnotations = descriptorAnnotations;
            return this;
        }

        public Builder extraHosts(List<HostEntry> extraHosts) {
            this.extraHosts = extraHosts;
            return this;
        }

        public Builder ulimits(List<ResourceLimit> ulimits) {
            this.ulimits = ulimits;
            return this;
        }

        /** Bytes; 0 (the default) for the sandbox's default size. */
        public Builder shmSize(long shmSize) {
            this.shmSize = shmSize;
            return this;
        }

        /** {@link AttestationOptions#NONE} (the default) for an image without attestations. */
        public Builder attestations(AttestationOptions attestations) {
            this.attestations = attestations;
            return this;
        }

        /** OpenSSH's files of the user running the JVM by default ({@link SshSettings#userKnownHosts}). */
        public Builder sshKnownHosts(List<Path> sshKnownHosts) {
            this.sshKnownHosts = sshKnownHosts;
            return this;
        }

        /** Direct connections by default. */
        public Builder proxies(ProxySelector proxies) {
            this.proxies = proxies;
            return this;
        }

        public BuildRequest build() {
            return new BuildRequest(dockerfile, plan, contextDir, ignore, namedContexts, platform, tags, labels,
                    annotations, sourceDateEpoch, compression, outputs, pull, push, secrets, network, snapshotter,
                    isolation, sshSockets, descriptorAnnotations, extraHosts, ulimits, shmSize, attestations, sshKnownHosts,
                    proxies);
        }
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
        attestations = attestations == null ? AttestationOptions.NONE : attestations;
        sshKnownHosts = sshKnownHosts == null ? List.of() : List.copyOf(sshKnownHosts);
        proxies = proxies == null ? HttpClient.Builder.NO_PROXY : proxies;
        if (attestations.any() && attestations.invocation() == null) {
            throw new IllegalArgumentException("attestations need the invocation (AttestationOptions.Invocation)");
        }
        if (shmSize < 0) {
            throw new IllegalArgumentException("negative --shm-size: " + shmSize);
        }
    }
}
