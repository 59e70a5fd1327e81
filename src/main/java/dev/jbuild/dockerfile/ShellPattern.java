package dev.jbuild.dockerfile;

import java.util.Arrays;

/**
 * The patterns of {@code ${VAR#p}}, {@code ${VAR%p}} and {@code ${VAR/p/r}}, with BuildKit's
 * rules: {@code *} is any string, {@code ?} one character, {@code \} escapes {@code *}, {@code ?}
 * and {@code \} (and is dropped before {@code /} and <code>}</code>, which it only protects from
 * the lexer); any other escape is an error. Unlike POSIX shells, BuildKit has no bracket
 * expressions: {@code [} and {@code ]} match themselves. The escape inside patterns is always
 * {@code \}, whatever the Dockerfile's escape directive says.
 */
final class ShellPattern {

    /** A pattern token: any string ({@code *}), any one character ({@code ?}), else a literal code point. */
    private static final int STAR = -1;
    private static final int ANY = -2;

    private ShellPattern() {}

    /*
     * BuildKit turns the pattern into a Go regular expression. java.util.regex would do for short
     * patterns, but it recurses once per pattern element (a long pattern overflows the stack, even
     * while compiling) and backtracks exponentially on patterns such as *a*a*a*b. The patterns
     * have only three kinds of token, so a set-of-states simulation (like Go's RE2 engine) matches
     * in time proportional to pattern length times value length, with no recursion. For these
     * patterns Go's leftmost-first rules amount to: the leftmost start, then the longest match with
     * greedy stars or the shortest with lazy ones.
     */

    /** Reads the pattern into tokens; {@code \} escapes as BuildKit's conversion accepts them. */
    static int[] compile(String pattern) throws ShellExpansionException {
        int[] chars = pattern.codePoints().toArray();
        int[] tokens = new int[chars.length];
        int count = 0;
        for (int i = 0; i < chars.length; i++) {
            int c = chars[i];
            if (c == '*') {
                tokens[count++] = STAR;
            } else if (c == '?') {
                tokens[count++] = ANY;
            } else if (c == '\\') {
                int following = i + 1 < chars.length ? chars[i + 1] : -1;
                if (following == '}' || following == '/') {
                    continue; // the next round adds the character itself
                }
                if (following != '*' && following != '?' && following != '\\') {
                    throw new ShellExpansionException("invalid pattern (" + pattern + ") in substitution: invalid escape '\\"
                            + (following < 0 ? "" : Character.toString(following)) + "'");
                }
                tokens[count++] = following;
                i++;
            } else {
                tokens[count++] = c;
            }
        }
        return Arrays.copyOf(tokens, count);
    }

    /** {@code ${VAR#pattern}} (shortest) and {@code ${VAR##pattern}} (longest). */
    static String trimPrefix(String pattern, String value, boolean longest) throws ShellExpansionException {
        int end = prefixMatch(compile(pattern), value, longest);
        return end < 0 ? value : value.substring(end);
    }

    /**
     * {@code ${VAR%pattern}} and {@code ${VAR%%pattern}}. A left-to-right matcher cannot find the
     * shortest match that ends at the end, so both the value and the pattern are reversed and the
     * prefix is trimmed instead, as BuildKit does.
     */
    static String trimSuffix(String pattern, String value, boolean longest) throws ShellExpansionException {
        return reverse(trimPrefix(reversePattern(pattern), reverse(value), longest));
    }

    /** {@code ${VAR/pattern/replacement}}: the leftmost longest match, replaced literally. */
    static String replaceFirst(String pattern, String value, String replacement) throws ShellExpansionException {
        int[] match = find(compile(pattern), value, 0);
        if (match == null) {
            return value;
        }
        return value.substring(0, match[0]) + replacement + value.substring(match[1]);
    }

    /**
     * {@code ${VAR//pattern/replacement}}, with Go's {@code Regexp.ReplaceAllString} rules that
     * BuildKit inherits: an empty match right after a match is not replaced, and the replacement
     * is a template in which {@code $0} is the match, {@code $$} a dollar, other groups empty.
     */
    static String replaceAll(String pattern, String value, String replacement) throws ShellExpansionException {
        int[] tokens = compile(pattern);
        StringBuilder out = new StringBuilder(value.length());
        int lastMatchEnd = 0;
        int searchFrom = 0;
        int[] m;
        while (searchFrom <= value.length() && (m = find(tokens, value, searchFrom)) != null) {
            out.append(value, lastMatchEnd, m[0]);
            if (m[1] > lastMatchEnd || m[0] == 0) {
                expandTemplate(replacement, value.substring(m[0], m[1]), out);
            }
            lastMatchEnd = m[1];
            int width = searchFrom < value.length() ? Character.charCount(value.codePointAt(searchFrom)) : 1;
            searchFrom = Math.max(searchFrom + width, m[1]);
        }
        out.append(value, lastMatchEnd, value.length());
        return out.toString();
    }

    /**
     * The end (a char index) of the shortest or longest match of {@code tokens} at the start of
     * {@code value}, or -1 when none matches there.
     */
    static int prefixMatch(int[] tokens, String value, boolean longest) {
        int m = tokens.length;
        boolean[] states = new boolean[m + 1];
        boolean[] next = new boolean[m + 1];
        states[0] = true;
        closure(tokens, states);
        int best = states[m] ? 0 : -1;
        int pos = 0;
        while (pos < value.length() && (best < 0 || longest)) {
            int c = value.codePointAt(pos);
            pos += Character.charCount(c);
            Arrays.fill(next, false);
            boolean alive = false;
            for (int i = 0; i < m; i++) {
                if (states[i]) {
                    int target = step(tokens[i], c, i);
                    if (target >= 0) {
                        next[target] = true;
                        alive = true;
                    }
                }
            }
            if (!alive) {
                break;
            }
            closure(tokens, next);
            boolean[] swap = states;
            states = next;
            next = swap;
            if (states[m]) {
                best = pos;
            }
        }
        return best;
    }

    /**
     * The leftmost match of {@code tokens} starting at or after {@code from}, and of those the
     * longest: {@code {start, end}} as char indexes, or null. One pass: each state remembers the
     * earliest start that reached it, which is the only one that can win from there.
     */
    static int[] find(int[] tokens, String value, int from) {
        int m = tokens.length;
        int[] starts = new int[m + 1];
        int[] next = new int[m + 1];
        Arrays.fill(starts, -1);
        int bestStart = -1;
        int bestEnd = -1;
        int pos = from;
        while (true) {
            if (bestStart < 0 && (starts[0] < 0 || starts[0] > pos)) {
                starts[0] = pos; // a new attempt starting here
            }
            closure(tokens, starts);
            int matched = starts[m];
            if (matched >= 0 && (bestStart < 0 || matched <= bestStart)) {
                bestStart = matched;
                bestEnd = pos;
            }
            if (pos >= value.length()) {
                break;
            }
            int c = value.codePointAt(pos);
            pos += Character.charCount(c);
            Arrays.fill(next, -1);
            boolean alive = false;
            for (int i = 0; i < m; i++) {
                int start = starts[i];
                // Once a match is known, attempts that started later cannot win.
                if (start >= 0 && (bestStart < 0 || start <= bestStart)) {
                    int target = step(tokens[i], c, i);
                    if (target >= 0 && (next[target] < 0 || start < next[target])) {
                        next[target] = start;
                        alive = true;
                    }
                }
            }
            int[] swap = starts;
            starts = next;
            next = swap;
            if (!alive && bestStart >= 0) {
                break;
            }
        }
        return bestStart < 0 ? null : new int[] {bestStart, bestEnd};
    }

    /** The state after reading {@code c} in state {@code i} (whose token is {@code token}), or -1. */
    private static int step(int token, int c, int i) {
        // Like Go's '.', neither * nor ? matches a newline.
        if (token == STAR) {
            return c != '\n' ? i : -1;
        }
        if (token == ANY) {
            return c != '\n' ? i + 1 : -1;
        }
        return token == c ? i + 1 : -1;
    }

    /** A star may match nothing: whatever reaches it also reaches the token after it. */
    private static void closure(int[] tokens, boolean[] states) {
        for (int i = 0; i < tokens.length; i++) {
            if (states[i] && tokens[i] == STAR) {
                states[i + 1] = true;
            }
        }
    }

    private static void closure(int[] tokens, int[] starts) {
        for (int i = 0; i < tokens.length; i++) {
            if (starts[i] >= 0 && tokens[i] == STAR && (starts[i + 1] < 0 || starts[i] < starts[i + 1])) {
                starts[i + 1] = starts[i];
            }
        }
    }

    /** Go's {@code Regexp.Expand} for a pattern without capture groups. */
    private static void expandTemplate(String template, String match, StringBuilder out) {
        int i = 0;
        while (i < template.length()) {
            int dollar = template.indexOf('$', i);
            if (dollar < 0) {
                break;
            }
            out.append(template, i, dollar);
            i = dollar + 1;
            if (i < template.length() && template.charAt(i) == '$') {
                out.append('$');
                i++;
                continue;
            }
            TemplateReference ref = TemplateReference.parse(template, i);
            if (ref == null) {
                out.append('$'); // malformed: Go keeps the dollar as text
                continue;
            }
            if (ref.name().equals("0")) {
                out.append(match);
            }
            i = ref.end();
        }
        out.append(template, i, template.length());
    }

    /** A {@code $name} or <code>${name}</code> in a replacement template; {@code end} is just past it. */
    private record TemplateReference(String name, int end) {
        static TemplateReference parse(String template, int start) {
            boolean braced = start < template.length() && template.charAt(start) == '{';
            int i = braced ? start + 1 : start;
            int nameStart = i;
            while (i < template.length()) {
                int c = template.codePointAt(i);
                if (!Character.isLetter(c) && !Character.isDigit(c) && c != '_') {
                    break;
                }
                i += Character.charCount(c);
            }
            if (i == nameStart) {
                return null;
            }
            String name = template.substring(nameStart, i);
            if (braced) {
                if (i >= template.length() || template.charAt(i) != '}') {
                    return null;
                }
                i++;
            }
            return new TemplateReference(name, i);
        }
    }

    /** Reverses a pattern but keeps each escape in front of the character it escapes. */
    static String reversePattern(String pattern) {
        int[] chars = pattern.codePoints().toArray();
        int[] out = new int[chars.length];
        int last = chars.length - 1;
        for (int i = 0; i <= last; ) {
            int outIndex = last - i;
            if (chars[i] == '\\' && i != last) {
                out[outIndex - 1] = '\\';
                out[outIndex] = chars[i + 1];
                i += 2;
            } else {
                out[outIndex] = chars[i];
                i++;
            }
        }
        return new String(out, 0, out.length);
    }

    static String reverse(String text) {
        int[] chars = text.codePoints().toArray();
        int[] out = new int[chars.length];
        for (int i = 0; i < chars.length; i++) {
            out[chars.length - 1 - i] = chars[i];
        }
        return new String(out, 0, out.length);
    }
}
