package dev.jbuild.attestation;

import java.util.Map;
import java.util.TreeMap;

/**
 * One input of a build that came from outside it, pinned by digest: a base or {@code COPY --from}
 * image ({@code pkg:docker/alpine@3.19?platform=linux%2Famd64}, sha256 of what the name resolved
 * to), an {@code ADD} URL (sha256 of the downloaded bytes), a git source (sha1 of the commit). The
 * shape is SLSA's material (v0.2) and resource descriptor (v1), which BuildKit fills the same way.
 *
 * @param uri    what was asked for
 * @param digest algorithm → lower-case hex
 */
public record Material(String uri, Map<String, String> digest) implements Comparable<Material> {

    public Material {
        digest = new TreeMap<>(digest);
    }

    /**
     * {@code url} without a user name or password in its authority, as provenance names it (BuildKit
     * redacts the same way); the path, query and fragment stay, they say what was fetched.
     */
    public static String withoutCredentials(String url) {
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@", "$1");
    }

    @Override
    public int compareTo(Material other) {
        return uri.compareTo(other.uri);
    }
}
