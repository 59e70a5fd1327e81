package dev.jbuild.context;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the text of a .dockerignore file into patterns the way Docker's CLI and BuildKit do
 * (moby/patternmatcher's {@code ignorefile.ReadAll}): a UTF-8 byte order mark on the first line is
 * dropped; a line whose first character is {@code #} is a comment (an indented {@code #} is not);
 * blanks around a line are trimmed and blank lines skipped; the path after an optional {@code !}
 * is trimmed again, cleaned ({@code filepath.Clean}) and loses one leading {@code /}, because
 * patterns are relative to the context root.
 */
final class IgnoreFileLines {

    private IgnoreFileLines() {}

    static List<String> patterns(String fileText) {
        List<String> patterns = new ArrayList<>();
        String[] lines = fileText.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1); // Go's line scanner drops one CR
            }
            if (n == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.startsWith("#")) {
                continue;
            }
            String pattern = GoPaths.trimSpace(line);
            if (pattern.isEmpty()) {
                continue;
            }
            boolean exception = pattern.charAt(0) == '!';
            if (exception) {
                pattern = GoPaths.trimSpace(pattern.substring(1));
            }
            if (!pattern.isEmpty()) {
                pattern = GoPaths.clean(pattern);
                if (pattern.length() > 1 && pattern.charAt(0) == '/') {
                    pattern = pattern.substring(1);
                }
            }
            patterns.add(exception ? "!" + pattern : pattern);
        }
        return patterns;
    }
}
