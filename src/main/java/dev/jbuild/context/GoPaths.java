package dev.jbuild.context;

/**
 * Go's {@code path/filepath.Clean} on a slash-separated path, which Docker applies to every
 * .dockerignore pattern: repeated slashes collapse, {@code .} elements go, {@code x/..} pairs
 * cancel, a trailing slash goes, {@code ..} at the root of an absolute path goes; an empty result
 * is {@code .}.
 */
final class GoPaths {

    private GoPaths() {}

    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.charAt(0) == '/';
        StringBuilder out = new StringBuilder(path.length());
        if (rooted) {
            out.append('/');
        }
        // Where ".." may back up to: just past the root slash, or past the leading ".." elements.
        int dotDotFloor = out.length();
        int n = path.length();
        int r = rooted ? 1 : 0;
        while (r < n) {
            if (path.charAt(r) == '/') {
                r++;
            } else if (path.charAt(r) == '.' && (r + 1 == n || path.charAt(r + 1) == '/')) {
                r++;
            } else if (path.charAt(r) == '.' && path.charAt(r + 1) == '.' && (r + 2 == n || path.charAt(r + 2) == '/')) {
                r += 2;
                if (out.length() > dotDotFloor) {
                    int w = out.length() - 1;
                    while (w > dotDotFloor && out.charAt(w) != '/') {
                        w--;
                    }
                    out.setLength(w);
                } else if (!rooted) {
                    if (out.length() > 0) {
                        out.append('/');
                    }
                    out.append("..");
                    dotDotFloor = out.length();
                }
            } else {
                if ((rooted && out.length() != 1) || (!rooted && out.length() != 0)) {
                    out.append('/');
                }
                while (r < n && path.charAt(r) != '/') {
                    out.append(path.charAt(r));
                    r++;
                }
            }
        }
        return out.length() == 0 ? "." : out.toString();
    }

    /** Go's {@code unicode.IsSpace}, the blank set {@code strings.TrimSpace} removes. */
    static boolean isSpace(int c) {
        if (c <= 0xFF) {
            return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
        }
        return c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** Go's {@code strings.TrimSpace}. */
    static String trimSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }
}
