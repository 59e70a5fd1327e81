package dev.jbuild.dockerfile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flag values of the form {@code KEY=VALUE} ({@code --label}, {@code sign -a}): split at the first {@code =},
 * the key not empty, in order, a later key replacing an earlier one. Here beside {@link GoCsv} for the same
 * reason: the lowest package that reads such values, so the build options and the CLI share one reading.
 */
public final class KeyValues {

    private KeyValues() {}

    /** @throws IllegalArgumentException for a value without a key, naming {@code flag} */
    public static Map<String, String> parse(List<String> values, String flag) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String value : values) {
            int equals = value.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("invalid " + flag + " " + value + ": expected KEY=VALUE");
            }
            result.put(value.substring(0, equals), value.substring(equals + 1));
        }
        return result;
    }
}
