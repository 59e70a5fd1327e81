package dev.jbuild.attestation;

import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Package URLs in the string form BuildKit's {@code util/purl} writes through packageurl-go's
 * {@code ToString}, for images ({@code pkg:docker/<familiar namespace>/<name>@<tag>?digest=…&platform=…}; a
 * Docker Hub official image has no namespace, {@code pkg:docker/alpine@3.19}, a name without tag or digest gets
 * {@code latest}) and, through {@link #toString}, for the SBOM's packages: one owner of the encoding.
 */
public final class Purls {

    private Purls() {}

    /** @param platform the platform the image was resolved for, or null */
    public static String image(String type, ImageName name, Platform platform) {
        String familiar = new ImageName(name.registry(), name.repository(), null, null).familiar();
        int slash = familiar.lastIndexOf('/');
        String namespace = slash < 0 ? null : familiar.substring(0, slash);
        String tag = name.tag() == null && name.digest() == null ? "latest" : name.tag();
        Map<String, String> qualifiers = new LinkedHashMap<>();
        if (name.digest() != null) {
            qualifiers.put("digest", name.digest());
        }
        if (platform != null) {
            qualifiers.put("platform", platform.normalize().toString());
        }
        return toString(type, namespace, familiar.substring(slash + 1), tag, qualifiers);
    }

    /**
     * packageurl-go's {@code ToString}: {@code pkg:TYPE/}, each {@code /}-separated namespace segment and the name
     * escaped as Go's {@code url.QueryEscape} does, {@code @} and the version as {@code url.PathEscape}, then the
     * qualifiers in the order given, {@code key=value} with the value as {@code url.PathEscape}. So
     * {@code 127.0.0.1:5000} as a namespace is {@code 127.0.0.1%3A5000}, while a digest qualifier keeps its
     * {@code sha256:}, a platform's {@code /} is {@code %2F}, and a version's {@code +} and {@code :} stay.
     *
     * @param namespace  null or empty for none
     * @param version    null or empty for none
     * @param qualifiers in the order to write them; null for none
     */
    public static String toString(String type, String namespace, String name, String version, Map<String, String> qualifiers) {
        StringBuilder purl = new StringBuilder("pkg:").append(type).append('/');
        if (namespace != null && !namespace.isEmpty()) {
            for (String segment : namespace.split("/", -1)) {
                purl.append(escape(segment, false)).append('/');
            }
        }
        purl.append(escape(name, false));
        if (version != null && !version.isEmpty()) {
            purl.append('@').append(escape(version, true));
        }
        if (qualifiers != null && !qualifiers.isEmpty()) {
            String separator = "?";
            for (Map.Entry<String, String> qualifier : qualifiers.entrySet()) {
                purl.append(separator).append(qualifier.getKey()).append('=').append(escape(qualifier.getValue(), true));
                separator = "&";
            }
        }
        return purl.toString();
    }

    /**
     * Go's {@code url.PathEscape} ({@code path}) or {@code url.QueryEscape}: letters, digits and {@code - _ . ~}
     * stay; a path segment also keeps {@code $ & + : = @}; a query component writes a space as {@code +}; every
     * other byte of the UTF-8 form is {@code %XX} in upper case.
     */
    static String escape(String text, boolean path) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~';
            if (unreserved || (path && "$&+:=@".indexOf(c) >= 0)) {
                out.append(c);
            } else if (!path && c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
