package dev.jbuild.attestation;

import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import java.nio.charset.StandardCharsets;

/**
 * Package URLs of images, as BuildKit writes them into provenance: {@code pkg:docker/<familiar
 * namespace>/<name>@<tag>?digest=…&platform=…}; a Docker Hub official image has no namespace
 * ({@code pkg:docker/alpine@3.19}), a name without tag gets {@code latest}.
 */
public final class Purls {

    private Purls() {}

    /** @param platform the platform the image was resolved for, or null */
    public static String image(String type, ImageName name, Platform platform) {
        String familiar = new ImageName(name.registry(), name.repository(), null, null).familiar();
        int slash = familiar.lastIndexOf('/');
        StringBuilder purl = new StringBuilder("pkg:").append(type).append('/');
        if (slash >= 0) {
            for (String segment : familiar.substring(0, slash).split("/")) {
                purl.append(encode(segment, false)).append('/');
            }
        }
        purl.append(encode(familiar.substring(slash + 1), false));
        String tag = name.tag() == null && name.digest() == null ? "latest" : name.tag();
        if (tag != null) {
            purl.append('@').append(encode(tag, false));
        }
        String separator = "?";
        if (name.digest() != null) {
            purl.append(separator).append("digest=").append(encode(name.digest(), true));
            separator = "&";
        }
        if (platform != null) {
            purl.append(separator).append("platform=").append(encode(platform.normalize().toString(), true));
        }
        return purl.toString();
    }

    /**
     * Percent-encodes all but the purl spec's unreserved characters ({@code A-Z a-z 0-9 . - _ ~})
     * and, outside qualifier values, {@code :} (kept in names, as packageurl-go keeps it).
     */
    static String encode(String text, boolean qualifierValue) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == '~' || (c == ':' && !qualifierValue);
            if (unreserved) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
