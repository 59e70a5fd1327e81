package dev.jbuild.engine.stage;

import dev.jbuild.attestation.Material;
import dev.jbuild.attestation.ProvenanceFacts;
import dev.jbuild.attestation.Purls;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What one build read from outside: the materials of its provenance and build record (images by
 * the digest their names resolved to, downloads by their content digest) and the context files its
 * COPY and ADD steps selected, whose paths and content digests make the context digest. Stages run
 * on several threads, so both are concurrent maps; both are sorted, so the result does not depend on
 * which stage came first.
 */
public final class BuildMaterials {

    private final Map<String, Material> materials = new ConcurrentSkipListMap<>();
    private final Map<String, String> contextFiles = new ConcurrentSkipListMap<>();
    private final List<ProvenanceFacts.BuildStep> steps = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean network;
    /** id → optional, for the secrets and SSH agents RUN steps mounted. */
    private final Map<String, Boolean> secrets = new ConcurrentSkipListMap<>();
    private final Map<String, Boolean> ssh = new ConcurrentSkipListMap<>();

    /** A base, {@code COPY --from} or {@code RUN --mount=from} image, and what its name resolved to. */
    public void image(ImageName name, Platform platform, Digest resolved) {
        add(Purls.image("docker", name, platform), resolved);
    }

    /** An image from a named OCI-layout context ({@code --build-context name=oci-layout://…}). */
    public void ociLayout(String contextName, Platform platform, Digest resolved) {
        add(Purls.image("oci", ImageName.parse(contextName), platform), resolved);
    }

    /** An {@code ADD} of a URL, by the sha256 of what was downloaded. */
    public void download(String url, Digest content) {
        add(url, content);
    }

    /** An {@code ADD} of a git source, by the commit it checked out (SLSA's {@code sha1} digest, as BuildKit records it). */
    public void git(String uri, String commit) {
        String algorithm = commit.length() == 64 ? "sha256" : "sha1";
        materials.putIfAbsent(uri, new Material(uri, Map.of(algorithm, commit)));
    }

    /** A named context the CLI fetched (a git checkout or a download), as its origin names it. */
    public void fetched(Material origin) {
        materials.putIfAbsent(origin.uri(), origin);
    }

    private void add(String uri, Digest digest) {
        materials.putIfAbsent(uri, new Material(uri, Map.of(digest.algorithm(), digest.hex())));
    }

    /** A regular file of the build context that a COPY or ADD read, by its path in the context and content id. */
    public void contextFile(String path, String contentId) {
        contextFiles.putIfAbsent(path, contentId);
    }

    /** A step that ran or came from the cache, with the layer it made (mode=max provenance lists them). */
    public void step(ProvenanceFacts.BuildStep step) {
        steps.add(step);
    }

    /** A RUN step ran (or was cached) with network access: the build is not hermetic. */
    public void usedNetwork() {
        network = true;
    }

    public boolean network() {
        return network;
    }

    /**
     * A RUN step (run or cached) mounted the secret {@code id}; BuildKit's rule: optional unless a mount says
     * {@code required=true}, and one required use makes it required.
     */
    public void secret(String id, boolean required) {
        secrets.merge(id, !required, Boolean::logicalAnd);
    }

    /** A RUN step mounted the SSH agent {@code id}, with the same rule as {@link #secret}. */
    public void ssh(String id, boolean required) {
        ssh.merge(id, !required, Boolean::logicalAnd);
    }

    /** The secrets RUN steps mounted, sorted by id. */
    public List<ProvenanceFacts.Mounted> secrets() {
        return mounted(secrets);
    }

    /** The SSH agents RUN steps mounted, sorted by id. */
    public List<ProvenanceFacts.Mounted> ssh() {
        return mounted(ssh);
    }

    private static List<ProvenanceFacts.Mounted> mounted(Map<String, Boolean> ids) {
        List<ProvenanceFacts.Mounted> list = new ArrayList<>();
        ids.forEach((id, optional) -> list.add(new ProvenanceFacts.Mounted(id, optional)));
        return list;
    }

    /** The steps in the order they finished (stages that ran at once interleave). */
    public List<ProvenanceFacts.BuildStep> steps() {
        synchronized (steps) {
            return List.copyOf(steps);
        }
    }

    public List<Material> materials() {
        return new ArrayList<>(materials.values());
    }

    /**
     * sha256 over the sorted {@code path NUL content-id LF} lines of the context files the build read,
     * or null when it read none: two builds that copied the same files from their contexts have the
     * same context digest, whatever else the directory holds.
     */
    public Digest contextDigest() {
        if (contextFiles.isEmpty()) {
            return null;
        }
        StringBuilder lines = new StringBuilder();
        new TreeMap<>(contextFiles).forEach((path, id) -> lines.append(path).append('\0').append(id).append('\n'));
        return Digest.of(lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Joins the materials of the platforms of one build. */
    public void addAll(BuildMaterials other) {
        other.materials.forEach(materials::putIfAbsent);
        other.contextFiles.forEach(contextFiles::putIfAbsent);
        steps.addAll(other.steps());
        network |= other.network;
        other.secrets.forEach((id, optional) -> secrets.merge(id, optional, Boolean::logicalAnd));
        other.ssh.forEach((id, optional) -> ssh.merge(id, optional, Boolean::logicalAnd));
    }
}
