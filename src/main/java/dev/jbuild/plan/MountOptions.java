package dev.jbuild.plan;

import java.util.Locale;

/** Just enough of {@code RUN --mount} parsing for planning: which stage a mount reads from. */
final class MountOptions {

    private MountOptions() {}

    /** The {@code from=} value of a {@code --mount} specification, or null when it has none. */
    static String from(String mountSpec) {
        for (String field : mountSpec.split(",")) {
            int equals = field.indexOf('=');
            if (equals > 0 && field.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("from")) {
                String value = field.substring(equals + 1).trim();
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }
}
