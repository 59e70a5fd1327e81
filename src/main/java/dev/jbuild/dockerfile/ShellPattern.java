package dev.jbuild.dockerfile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The patterns of {@code ${VAR#p}}, {@code ${VAR%p}} and {@code ${VAR/p/r}}, with BuildKit's
 * rules: {@code *} is any string, {@code ?} one character, {@code \} escapes {@code *}, {@code ?}
 * and {@code \} (and is dropped before {@code /} and <code>}</code>, which it only protects from
 * the lexer); any other escape is an error. Unlike POSIX shells, BuildKit has no bracket
 * expressions: {@code [} and {@code ]} match themselves. The escape inside patterns is always
 * {@code \}, whatever the Dockerfile's escape directive says.
 */
final class ShellPattern {

    private ShellPattern() {}

    /**
     * Translates a shell pattern into a regular expression. {@code greedy} decides whether
     * {@code *} prefers the longest or the shortest string; {@code anchored} ties the match to the
     * start of the value.
     */
    static Pattern toRegex(String pattern, boolean greedy, boolean anchored) throws ShellExpansionException {
        StringBuilder regex = new StringBuilder(pattern.length() + 4);
        if (anchored) {
            regex.append('^');
        }
        int[] chars = pattern.codePoints().toArray();
        for (int i = 0; i < chars.length; i++) {
            int c = chars[i];
            switch (c) {
                case '*' -> regex.append(greedy ? ".*" : ".*?");
                case '?' -> regex.append('.');
                case '\\' -> {
                    int following = i + 1 < chars.length ? chars[i + 1] : -1;
                    if (following == '}' || following == '/') {
                        continue; // the next round adds the character itself
                    }
                    if (following != '*' && following != '?' && following != '\\') {
                        throw new ShellExpansionException("invalid pattern (" + pattern + ") in substitution: invalid escape '\\"
                                + (following < 0 ? "" : Character.toString(following)) + "'");
                    }
                    regex.append('\\').appendCodePoint(following);
                    i++;
                }
                case '[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$' -> regex.append('\\').append((char) c);
                default -> regex.appendCodePoint(c);
            }
        }
        // UNIX_LINES: like Go's regexp, '.' matches everything but '\n'.
        return Pattern.compile(regex.toString(), Pattern.UNIX_LINES);
    }

    /** {@code ${VAR#pattern}} (shortest) and {@code ${VAR##pattern}} (longest). */
    static String trimPrefix(String pattern, String value, boolean longest) throws ShellExpansionException {
        Matcher m = toRegex(pattern, longest, true).matcher(value);
        return m.find() ? value.substring(m.end()) : value;
    }

    /**
     * {@code ${VAR%pattern}} and {@code ${VAR%%pattern}}. A regular expression cannot find the
     * shortest match that ends at the end, so both the value and the pattern are reversed and the
     * prefix is trimmed instead, as BuildKit does.
     */
    static String trimSuffix(String pattern, String value, boolean longest) throws ShellExpansionException {
        return reverse(trimPrefix(reversePattern(pattern), reverse(value), longest));
    }

    /** {@code ${VAR/pattern/replacement}}: the leftmost longest match, replaced literally. */
    static String replaceFirst(String pattern, String value, String replacement) throws ShellExpansionException {
        Matcher m = toRegex(pattern, true, false).matcher(value);
        if (!m.find()) {
            return value;
        }
        return value.substring(0, m.start()) + replacement + value.substring(m.end());
    }

    /**
     * {@code ${VAR//pattern/replacement}}, with Go's {@code Regexp.ReplaceAllString} rules that
     * BuildKit inherits: an empty match right after a match is not replaced, and the replacement
     * is a template in which {@code $0} is the match, {@code $$} a dollar, other groups empty.
     */
    static String replaceAll(String pattern, String value, String replacement) throws ShellExpansionException {
        Matcher m = toRegex(pattern, true, false).matcher(value);
        StringBuilder out = new StringBuilder(value.length());
        int lastMatchEnd = 0;
        int searchFrom = 0;
        while (searchFrom <= value.length() && m.find(searchFrom)) {
            out.append(value, lastMatchEnd, m.start());
            if (m.end() > lastMatchEnd || m.start() == 0) {
                expandTemplate(replacement, m.group(), out);
            }
            lastMatchEnd = m.end();
            int width = searchFrom < value.length() ? Character.charCount(value.codePointAt(searchFrom)) : 1;
            searchFrom = Math.max(searchFrom + width, m.end());
        }
        out.append(value, lastMatchEnd, value.length());
        return out.toString();
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
