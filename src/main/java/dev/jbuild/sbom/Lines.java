package dev.jbuild.sbom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a package database read as a stream, each cut at {@link #MAX_LINE} bytes so that one
 * enormous line in an image cannot take the scanner's memory (the rest of such a line is skipped).
 */
final class Lines {

    /** No field of dpkg, apk or Python metadata comes near it; a longer line is cut. */
    static final int MAX_LINE = 1 << 20;

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;

    Lines(InputStream in) {
        this.in = in;
    }

    /** The next line without its "\n" (and "\r"), or null at the end. */
    String next() throws IOException {
        line.reset();
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return any ? text() : null;
                }
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int room = MAX_LINE - line.size();
            line.write(buffer, start, Math.min(position - start, Math.max(room, 0)));
            if (position < limit) {
                position++; // the newline
                return text();
            }
        }
    }

    private String text() {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
