package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of comma-separated fields as Go's {@code encoding/csv} reads it with its defaults, which is how
 * BuildKit reads {@code RUN --mount} and how buildx reads {@code -o}, {@code --secret}, {@code --cache-from},
 * {@code --cache-to}, {@code --attest} (go-csvvalue, the same rules for one line) and {@code --add-host}
 * (pflag's string slices). A field that starts with {@code "} is quoted: it runs to the closing quote, commas
 * included, {@code ""} in it is one quote, and the closing quote must end the field; a quote anywhere else is
 * an error. Nothing is trimmed: {@code " a"} keeps its space, and {@code  "a"} (a space before the quote) is a
 * field with a bare quote, as in Go. One trailing newline is dropped, as both Go readers do.
 *
 * <p>The one splitter of such values; every option keeps its own keys, records and checks. It lives in
 * {@code dockerfile}, the lowest package that reads one (the mount flag), so that {@code cli} can use it too.
 */
public final class GoCsv {

    private GoCsv() {}

    /** A value Go's reader refuses; the message is Go's ({@code parse error on line 1, column 5: …}, or {@code EOF}). */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String message) {
            super(message);
        }
    }

    /** The fields of {@code line}; an empty line is Go's {@code EOF}. */
    public static List<String> fields(String line) throws ParseException {
        if (line.endsWith("\r\n")) {
            line = line.substring(0, line.length() - 2);
        } else if (line.endsWith("\n")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            throw new ParseException("EOF");
        }
        List<String> fields = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            if (i == n || line.charAt(i) != '"') {
                int comma = line.indexOf(',', i);
                String field = line.substring(i, comma < 0 ? n : comma);
                int quote = field.indexOf('"');
                if (quote >= 0) {
                    throw error(line, i + quote, "bare \" in non-quoted-field");
                }
                fields.add(field);
                if (comma < 0) {
                    return fields;
                }
                i = comma + 1;
                continue;
            }
            StringBuilder field = new StringBuilder();
            i++;
            while (true) {
                int quote = line.indexOf('"', i);
                if (quote < 0) {
                    // encoding/csv's column: the end of the line (go-csvvalue names the opening quote instead).
                    throw error(line, n, "extraneous or missing \" in quoted-field");
                }
                field.append(line, i, quote);
                i = quote + 1;
                if (i < n && line.charAt(i) == '"') {
                    field.append('"');
                    i++;
                } else if (i < n && line.charAt(i) == ',') {
                    fields.add(field.toString());
                    i++;
                    break;
                } else if (i == n) {
                    fields.add(field.toString());
                    return fields;
                } else {
                    throw error(line, quote, "extraneous or missing \" in quoted-field");
                }
            }
        }
    }

    private static ParseException error(String line, int index, String problem) {
        return new ParseException("parse error on line 1, column " + (1 + utf8Length(line, index)) + ": " + problem);
    }

    /** Bytes of UTF-8 before {@code end}, as Go counts columns; a lone surrogate is one raw byte ({@code layer.RawNames}' convention). */
    private static int utf8Length(String s, int end) {
        int bytes = 0;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x80 || Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < end
                    && Character.isLowSurrogate(s.charAt(i + 1)))) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
