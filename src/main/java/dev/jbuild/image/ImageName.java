package dev.jbuild.image;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;

/**
 * An image name in Docker's full form: {@code alpine} is {@code docker.io/library/alpine:latest}.
 * Parsing follows Docker's rules through jib-core's {@link ImageReference}; the Docker Hub
 * registry is spelled {@code docker.io} as Docker prints it (jib uses its API host internally).
 *
 * @param registry   host[:port]
 * @param repository path, e.g. {@code library/alpine}
 * @param tag        the tag, or null when only a digest was given
 * @param digest     {@code sha256:...}, or null
 */
public record ImageName(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";

    /** @throws IllegalArgumentException with Docker's wording for a malformed reference */
    public static ImageName parse(String reference) {
        ImageReference parsed;
        try {
            parsed = ImageReference.parse(reference);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("invalid reference format: " + reference);
        }
        String registry = parsed.getRegistry().equals("registry-1.docker.io") || parsed.getRegistry().equals("index.docker.io")
                ? DOCKER_HUB : parsed.getRegistry();
        String digest = parsed.getDigest().orElse(null);
        String tag = parsed.getTag().orElse(digest == null ? "latest" : null);
        return new ImageName(registry, parsed.getRepository(), tag, digest);
    }

    /** The registry host jbuild connects to ({@code docker.io} is served by {@code registry-1.docker.io}). */
    public String registryHost() {
        return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    /** {@code docker.io/library/alpine:3.19@sha256:...}: every part that is set. */
    @Override
    public String toString() {
        return registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    /** The short form Docker prints: {@code alpine:3.19}, {@code ghcr.io/o/app:1}. */
    public String familiar() {
        String name = registry.equals(DOCKER_HUB)
                ? (repository.startsWith("library/") ? repository.substring("library/".length()) : repository)
                : registry + "/" + repository;
        return name + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
