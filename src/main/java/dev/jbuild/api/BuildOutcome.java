package dev.jbuild.api;

import java.util.List;

/**
 * A finished build.
 *
 * @param imageId        the config digest, what {@code jbuild build -q} and {@code docker build -q} print
 * @param manifestDigest the digest of the image's manifest (an index for several platforms or with attestations);
 *                       for a pushed image the digest the registry serves
 * @param tags           the names the image was given, in full form ({@code docker.io/library/app:1})
 * @param pushed         each pushed repository with the digest the registry stored ({@code host/app@sha256:...})
 * @param warnings       the build's warnings and check findings, each once, in the order they came
 * @param layers         how many layers the image has
 * @param size           the compressed size of config, manifest and layers, in bytes
 * @param steps          how many steps ran or were taken from the cache
 * @param cached         how many of them came from the cache
 */
public record BuildOutcome(String imageId, String manifestDigest, List<String> tags, List<String> pushed,
        List<Finding> warnings, int layers, long size, int steps, int cached) {

    public BuildOutcome {
        tags = List.copyOf(tags);
        pushed = List.copyOf(pushed);
        warnings = List.copyOf(warnings);
    }
}
