package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * A Dockerfile cut into physical lines. Lines end at {@code \n} only and keep their terminator,
 * because heredoc bodies are copied byte for byte (a CRLF file gives CRLF bodies, as in BuildKit).
 * A UTF-8 byte order mark at the start is dropped.
 */
final class SourceLines {

    private final List<String> lines;
    private int next;

    SourceLines(String text) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<String> cut = new ArrayList<>();
        int start = 0;
        while (start < body.length()) {
            int nl = body.indexOf('\n', start);
            int end = nl < 0 ? body.length() : nl + 1;
            cut.add(body.substring(start, end));
            start = end;
        }
        this.lines = cut;
    }

    boolean hasNext() {
        return next < lines.size();
    }

    /** The next raw line, terminator included. */
    String next() {
        return lines.get(next++);
    }

    /** How many lines have been consumed so far, which is the 1-based number of the last one read. */
    int consumed() {
        return next;
    }

    /** A consumed line without its terminator, for error displays; null when out of range. */
    String display(int oneBasedLine) {
        int i = oneBasedLine - 1;
        return i >= 0 && i < lines.size() ? GoText.trimNewline(lines.get(i)) : null;
    }

    int count() {
        return lines.size();
    }
}
