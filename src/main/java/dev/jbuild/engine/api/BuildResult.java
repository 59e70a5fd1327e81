package dev.jbuild.engine.api;

import dev.jbuild.attestation.Material;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import java.util.List;

/**
 * A finished image.
 *
 * @param manifest      the manifest in the store (its digest is {@code containerimage.digest}); an index for a
 *                      multi-platform build or one with attestations
 * @param config        the config digest: the image ID that {@code docker build -q} prints
 * @param tags          the names it was tagged with, full form
 * @param layers        how many layers the image has
 * @param size          total compressed size of config, manifest and layers
 * @param pushed        the references pushed, each with the digest the registry stored ({@code name@sha256:...})
 * @param steps         how many instructions ran or were looked up
 * @param cached        how many of them came from the build cache
 * @param materials     what the build read from outside (images, downloads), sorted by URI
 * @param contextDigest the digest of the build-context files the build read (see
 *                      {@code engine.stage.BuildMaterials#contextDigest}), or null when it read none
 */
public record BuildResult(Descriptor manifest, Digest config, List<String> tags, int layers, long size, List<String> pushed,
        int steps, int cached, List<Material> materials, Digest contextDigest) {

    public BuildResult {
        tags = List.copyOf(tags);
        pushed = List.copyOf(pushed);
        materials = List.copyOf(materials);
    }

    public BuildResult withPushed(List<String> references) {
        return new BuildResult(manifest, config, tags, layers, size, references, steps, cached, materials, contextDigest);
    }
}
