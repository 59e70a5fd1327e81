package dev.jbuild.attestation;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final String MASK = "xxxxx";
    /**
     * A URL's scheme and {@code //}, then its user-info: the authority up to its last {@code @} (a password may hold
     * one, as Go's url.Parse reads it), never past the path, query, fragment or a space.
     */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/?#\\s]*)@");

    public Material {
        digest = new TreeMap<>(digest);
    }

    /**
     * {@code url} without a user name or password in its authority, as provenance names it (BuildKit
     * redacts the same way); the path, query and fragment stay, they say what was fetched.
     */
    public static String withoutCredentials(String url) {
        Matcher matcher = USER_INFO.matcher(url);
        return matcher.lookingAt() ? url.substring(0, matcher.end(1)) + url.substring(matcher.end()) : url;
    }

    /**
     * {@code text} (an error message, say) with the user name and password removed from every URL in it, by the
     * rule of {@link #withoutCredentials}: what the build record keeps of a failed {@code ADD http://user:pw@host/…}.
     */
    public static String withoutCredentialsIn(String text) {
        return USER_INFO.matcher(text).replaceAll("$1");
    }

    /**
     * {@code url} with its user name and password each replaced by {@code xxxxx}
     * ({@code https://xxxxx:xxxxx@host/repo.git}), as BuildKit writes a kept {@code .git}'s origin
     * (urlutil.RedactCredentials): the shape of the URL stays, the secret does not. A URL without
     * either is returned as it is.
     */
    public static String maskedCredentials(String url) {
        Matcher m = USER_INFO.matcher(url);
        if (!m.lookingAt()) {
            return url;
        }
        String info = m.group(2);
        int colon = info.indexOf(':');
        boolean hasUser = (colon < 0 ? info : info.substring(0, colon)).length() > 0;
        boolean hasPassword = colon >= 0;
        String masked;
        if (hasUser && hasPassword) {
            masked = MASK + ":" + MASK;
        } else if (hasUser) {
            masked = MASK;
        } else if (hasPassword) {
            masked = ":" + MASK;
        } else {
            return url;
        }
        return m.group(1) + masked + "@" + url.substring(m.end());
    }

    @Override
    public int compareTo(Material other) {
        return uri.compareTo(other.uri);
    }
}
