package dev.jbuild.sbom;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One paragraph of {@code Field: value} lines (deb822: dpkg's status, status.d; RFC 822-style: Python's
 * METADATA/PKG-INFO): field names case-insensitive, a field may repeat (Python's {@code Classifier}),
 * continuation lines (starting with a space or tab) appended to the field's value after a newline.
 */
record Stanza(Map<String, List<String>> fields) {

    /** The first value of a field, stripped, or "" when it is absent. */
    String first(String field) {
        List<String> values = fields.get(field);
        return values == null || values.isEmpty() ? "" : values.get(0).strip();
    }

    /** Every value of a field, stripped. */
    List<String> all(String field) {
        return fields.getOrDefault(field, List.of()).stream().map(String::strip).toList();
    }

    boolean isEmpty() {
        return fields.isEmpty();
    }

    /** Reads stanzas separated by blank lines, handing each to {@code sink}; stops at the end or when asked. */
    static void read(Lines lines, StanzaSink sink) throws IOException {
        Builder current = new Builder();
        String line;
        while ((line = lines.next()) != null) {
            if (line.isBlank()) {
                if (!current.isEmpty() && !sink.accept(current.build())) {
                    return;
                }
                current = new Builder();
            } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                current.continueLast(line.substring(1));
            } else {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    current.add(line.substring(0, colon), line.substring(colon + 1));
                }
            }
        }
        if (!current.isEmpty()) {
            sink.accept(current.build());
        }
    }

    /** Only the header of a single-stanza file (Python metadata: the body after the blank line is the description). */
    static Stanza readHeader(Lines lines) throws IOException {
        Stanza[] first = new Stanza[1];
        read(lines, s -> {
            first[0] = s;
            return false;
        });
        return first[0] == null ? new Stanza(Map.of()) : first[0];
    }

    @FunctionalInterface
    interface StanzaSink {
        /** @return whether to go on reading */
        boolean accept(Stanza stanza) throws IOException;
    }

    private static final class Builder {
        private final Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private List<String> lastValues;

        void add(String name, String value) {
            lastValues = fields.computeIfAbsent(name.strip(), k -> new ArrayList<>());
            lastValues.add(value.startsWith(" ") ? value.substring(1) : value);
        }

        void continueLast(String text) {
            if (lastValues != null) {
                int i = lastValues.size() - 1;
                lastValues.set(i, lastValues.get(i) + "\n" + text);
            }
        }

        boolean isEmpty() {
            return fields.isEmpty();
        }

        Stanza build() {
            return new Stanza(fields);
        }
    }
}
