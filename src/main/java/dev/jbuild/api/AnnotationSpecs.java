package dev.jbuild.api;

import dev.jbuild.engine.api.DescriptorAnnotations;
import dev.jbuild.image.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --annotation [TYPES:]KEY=VALUE}, with buildx's rules: {@code TYPES} is a comma-separated
 * list of {@code manifest}, {@code manifest-descriptor}, {@code index} and {@code index-descriptor},
 * each optionally with a platform in brackets ({@code manifest[linux/arm64]}); everything before
 * the first {@code :} of the key part is the type list, and no type means {@code manifest}.
 * {@code index} types need an index: a build of several platforms (BuildKit refuses them for one).
 */
final class AnnotationSpecs {

    private static final Pattern TYPE = Pattern.compile("([a-z-]+)(?:\\[([A-Za-z0-9_/-]+)\\])?");

    private record Entry(String type, Platform platform, String key, String value) {}

    private final List<Entry> entries;

    private AnnotationSpecs(List<Entry> entries) {
        this.entries = entries;
    }

    static AnnotationSpecs parse(List<String> values, List<Platform> targets) {
        List<Entry> entries = new ArrayList<>();
        for (String value : values) {
            int equals = value.indexOf('=');
            if (equals <= 0) {
                throw Problem.invalid("invalid --annotation " + value + ": expected [TYPE:]KEY=VALUE");
            }
            String left = value.substring(0, equals);
            String annotationValue = value.substring(equals + 1);
            int colon = left.indexOf(':');
            if (colon < 0) {
                entries.add(new Entry("manifest", null, left, annotationValue));
                continue;
            }
            String key = left.substring(colon + 1);
            if (key.isEmpty()) {
                throw Problem.invalid("invalid --annotation " + value + ": the key is empty");
            }
            for (String typeAndPlatform : left.substring(0, colon).split(",", -1)) {
                Matcher m = TYPE.matcher(typeAndPlatform);
                if (!m.matches()) {
                    throw Problem.invalid("invalid --annotation " + value + ": invalid annotation type \""
                            + typeAndPlatform + "\", expected type and optional platform in square brackets");
                }
                String type = m.group(1);
                if (!List.of("manifest", "manifest-descriptor", "index", "index-descriptor").contains(type)) {
                    throw Problem.invalid("invalid --annotation " + value + ": unknown annotation type \"" + type
                            + "\" (manifest, manifest-descriptor, index, index-descriptor)");
                }
                Platform platform = null;
                if (m.group(2) != null) {
                    try {
                        platform = Platform.parse(m.group(2)).normalize();
                    } catch (IllegalArgumentException e) {
                        throw Problem.invalid("invalid --annotation " + value + ": invalid platform " + m.group(2));
                    }
                    if (!targets.contains(platform)) {
                        throw Problem.invalid("invalid --annotation " + value + ": no platform " + platform
                                + " is built (--platform " + String.join(",", targets.stream().map(Platform::toString).toList()) + ")");
                    }
                }
                if (type.startsWith("index") && targets.size() < 2) {
                    throw Problem.invalid("invalid --annotation " + value + ": a build of one platform makes"
                            + " no index, so index annotations cannot go anywhere (BuildKit's rule); use manifest: or manifest-descriptor:");
                }
                entries.add(new Entry(type, type.startsWith("index") ? null : platform, key, annotationValue));
            }
        }
        return new AnnotationSpecs(entries);
    }

    /** The manifest annotations of {@code platform}'s image: those for every platform, then its own. */
    Map<String, String> manifest(Platform platform) {
        return select("manifest", platform);
    }

    DescriptorAnnotations descriptors(Platform platform) {
        return new DescriptorAnnotations(select("manifest-descriptor", platform), select("index", null), select("index-descriptor", null));
    }

    private Map<String, String> select(String type, Platform platform) {
        Map<String, String> result = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (entry.type().equals(type) && entry.platform() == null) {
                result.put(entry.key(), entry.value());
            }
        }
        for (Entry entry : entries) {
            if (entry.type().equals(type) && entry.platform() != null && entry.platform().equals(platform)) {
                result.put(entry.key(), entry.value());
            }
        }
        return result;
    }
}
