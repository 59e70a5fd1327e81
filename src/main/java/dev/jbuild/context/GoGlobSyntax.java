package dev.jbuild.context;

/**
 * The syntax check Docker runs on each pattern (it calls Go's {@code filepath.Match} only for its
 * error): a {@code [...]} class needs at least one character or range and its closing bracket, a
 * range end may not be {@code -} or {@code ]} unescaped, and {@code \} may not end the pattern.
 */
final class GoGlobSyntax {

    private GoGlobSyntax() {}

    static boolean isValid(String pattern) {
        int[] c = pattern.codePoints().toArray();
        int i = 0;
        boolean inClass = false;
        // Split into chunks at '*' outside brackets, as filepath.Match does, and check each.
        int chunkStart = 0;
        while (i <= c.length) {
            if (i == c.length || (c[i] == '*' && !inClass)) {
                if (!isValidChunk(c, chunkStart, i)) {
                    return false;
                }
                chunkStart = i + 1;
                i++;
                continue;
            }
            if (c[i] == '\\') {
                i += i + 1 < c.length ? 2 : 1;
                continue;
            }
            if (c[i] == '[') {
                inClass = true;
            } else if (c[i] == ']') {
                inClass = false;
            }
            i++;
        }
        return true;
    }

    private static boolean isValidChunk(int[] c, int start, int end) {
        int i = start;
        while (i < end) {
            switch (c[i]) {
                case '[' -> {
                    i++;
                    if (i < end && c[i] == '^') {
                        i++;
                    }
                    int ranges = 0;
                    while (true) {
                        if (i < end && c[i] == ']' && ranges > 0) {
                            i++;
                            break;
                        }
                        i = classChar(c, i, end);
                        if (i < 0) {
                            return false;
                        }
                        if (c[i] == '-') {
                            i = classChar(c, i + 1, end);
                            if (i < 0) {
                                return false;
                            }
                        }
                        ranges++;
                    }
                }
                case '\\' -> {
                    if (i + 1 >= end) {
                        return false;
                    }
                    i += 2;
                }
                default -> i++;
            }
        }
        return true;
    }

    /** Reads one class character; the index after it, or -1 when malformed or nothing follows. */
    private static int classChar(int[] c, int i, int end) {
        if (i >= end || c[i] == '-' || c[i] == ']') {
            return -1;
        }
        if (c[i] == '\\') {
            i++;
            if (i >= end) {
                return -1;
            }
        }
        i++;
        return i >= end ? -1 : i;
    }
}
