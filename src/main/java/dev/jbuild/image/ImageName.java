package dev.jbuild.image;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image name in Docker's full form: {@code alpine} is {@code docker.io/library/alpine:latest}.
 * Parsed by the grammar of Docker's reference package (distribution/reference, normalised names),
 * so a name means here what it means to {@code docker pull}: {@code docker.io/ubuntu} and
 * {@code index.docker.io/ubuntu} are {@code docker.io/library/ubuntu}, a first component is a
 * registry only when it has a dot or a port, is {@code localhost} or has capitals, and a repository
 * must be lower case. (jib-core's parser, used before, left {@code docker.io/ubuntu} without
 * {@code library/}, a name Docker Hub does not serve.)
 *
 * @param registry   host[:port]
 * @param repository path, e.g. {@code library/alpine}
 * @param tag        the tag, or null when only a digest was given
 * @param digest     {@code sha256:...}, or null
 */
public record ImageName(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";

    /** Docker's limit on the whole name (registry and repository). */
    private static final int MAX_NAME_LENGTH = 255;
    private static final String DOMAIN_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_LABEL + "(?:\\." + DOMAIN_LABEL + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}");
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");

    /** @throws IllegalArgumentException with Docker's wording for a malformed reference */
    public static ImageName parse(String reference) {
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw invalid(reference);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(reference);
            }
        }
        if (rest.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("invalid reference format: repository name must not be more than "
                    + MAX_NAME_LENGTH + " characters: " + reference);
        }
        if (IMAGE_ID.matcher(rest).matches()) {
            throw new IllegalArgumentException("invalid repository name (" + rest
                    + "), cannot specify 64-byte hexadecimal strings");
        }
        int slash = rest.indexOf('/');
        String first = slash < 0 ? null : rest.substring(0, slash);
        String registry;
        String repository;
        if (first == null || !first.contains(".") && !first.contains(":") && !first.equals("localhost")
                && first.equals(first.toLowerCase(Locale.ROOT))) {
            registry = DOCKER_HUB;
            repository = rest;
        } else {
            registry = first;
            repository = rest.substring(slash + 1);
            if (!DOMAIN.matcher(registry).matches()) {
                throw invalid(reference);
            }
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && repository.indexOf('/') < 0) {
            repository = "library/" + repository;
        }
        if (!repository.equals(repository.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("invalid reference format: repository name (" + repository
                    + ") must be lowercase");
        }
        for (String component : repository.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw invalid(reference);
            }
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageName(registry, repository, tag, digest);
    }

    private static IllegalArgumentException invalid(String reference) {
        return new IllegalArgumentException("invalid reference format: " + reference);
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

    /**
     * The name an image is kept under in a store: {@code NAME@DIGEST} when a digest pins it (a tag beside it then
     * says nothing, as Docker and Podman store {@code alpine:3.19@sha256:...}), else this name.
     */
    public ImageName pinned() {
        return digest != null && tag != null ? new ImageName(registry, repository, null, digest) : this;
    }

    /** The short form Docker prints: {@code alpine:3.19}, {@code ghcr.io/o/app:1}. */
    public String familiar() {
        String name = registry.equals(DOCKER_HUB)
                ? (repository.startsWith("library/") ? repository.substring("library/".length()) : repository)
                : registry + "/" + repository;
        return name + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
