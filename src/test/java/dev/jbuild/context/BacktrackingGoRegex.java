package dev.jbuild.context;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The translation GoRegex had before it ran on {@link Nfa}, kept as the reference for
 * {@link PatternEquivalenceTest} (java.util.regex backtracks: only short patterns go in).
 *
 * <p>Compiles a Go (RE2) regular expression with {@link java.util.regex}. Docker turns each
 * .dockerignore pattern into a Go regexp and hands {@code [...]} classes and {@code \} escapes
 * through unchanged, so a pattern such as {@code [[:digit:]]}, {@code [*]} or {@code \d} means
 * what Go's parser makes of it. This translator reads Go's syntax (classes with POSIX names,
 * Perl and Unicode classes, escapes) and writes an equivalent Java expression; it covers the
 * syntax Docker's pattern conversion can produce.
 */
final class BacktrackingGoRegex {

    /** A Go expression that Go would reject, or that has no Java equivalent. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    private final int[] c;
    private int i;
    private final StringBuilder out = new StringBuilder();

    private BacktrackingGoRegex(String goRegex) {
        this.c = goRegex.codePoints().toArray();
    }

    static Pattern compile(String goRegex) throws SyntaxException {
        String java = new BacktrackingGoRegex(goRegex).translate();
        try {
            // UNIX_LINES: Go's '.' excludes only '\n'.
            return Pattern.compile(java, Pattern.UNIX_LINES);
        } catch (PatternSyntaxException e) {
            throw new SyntaxException(e.getDescription());
        }
    }

    private String translate() throws SyntaxException {
        while (i < c.length) {
            int ch = c[i++];
            switch (ch) {
                case '\\' -> escapeOutsideClass();
                case '[' -> characterClass();
                case '^' -> out.append('^');
                case '$' -> out.append("\\z"); // Go's '$' without the m flag is end of text only
                case '.', '(', ')', '|', '*', '+', '?' -> out.append((char) ch);
                default -> literal(ch, out);
            }
        }
        return out.toString();
    }

    private void escapeOutsideClass() throws SyntaxException {
        if (i >= c.length) {
            throw new SyntaxException("trailing backslash at end of expression");
        }
        int e = c[i];
        switch (e) {
            case 'A' -> { i++; out.append("\\A"); }
            case 'z' -> { i++; out.append("\\z"); }
            case 'b' -> { i++; out.append("\\b"); }
            case 'B' -> { i++; out.append("\\B"); }
            case 'Q' -> {
                i++;
                int end = i;
                while (end < c.length && !(c[end] == '\\' && end + 1 < c.length && c[end + 1] == 'E')) {
                    end++;
                }
                for (int k = i; k < end; k++) {
                    literal(c[k], out);
                }
                i = end < c.length ? end + 2 : end;
            }
            default -> {
                String classItems = perlOrUnicodeClass();
                if (classItems != null) {
                    out.append('[').append(classItems).append(']');
                } else {
                    literal(escapedCharacter(), out);
                }
            }
        }
    }

    /**
     * {@code \d \s \w} (and negations) or {@code \pX \p{Name} \PX \P{Name}} at {@code i} (just after
     * the backslash), as items for a Java class; null when the escape is something else.
     */
    private String perlOrUnicodeClass() throws SyntaxException {
        int e = c[i];
        String perl = switch (e) {
            case 'd' -> "0-9";
            case 's' -> "\\t\\n\\f\\r ";
            case 'w' -> "0-9A-Za-z_";
            case 'D' -> "[^0-9]";
            case 'S' -> "[^\\t\\n\\f\\r ]";
            case 'W' -> "[^0-9A-Za-z_]";
            default -> null;
        };
        if (perl != null) {
            i++;
            return perl;
        }
        if (e != 'p' && e != 'P') {
            return null;
        }
        i++;
        if (i >= c.length) {
            throw new SyntaxException("invalid character class range");
        }
        boolean negated = e == 'P';
        String name;
        if (c[i] == '{') {
            int close = i + 1;
            while (close < c.length && c[close] != '}') {
                close++;
            }
            if (close >= c.length) {
                throw new SyntaxException("invalid character class range");
            }
            name = new String(c, i + 1, close - i - 1);
            i = close + 1;
            if (name.startsWith("^")) {
                negated = !negated;
                name = name.substring(1);
            }
        } else {
            name = new String(c, i, 1);
            i++;
        }
        if (name.equals("Any")) {
            return negated ? "[^\\x{0}-\\x{10FFFF}]" : "\\x{0}-\\x{10FFFF}";
        }
        return (negated ? "\\P{Is" : "\\p{Is") + name + "}";
    }

    /**
     * The character of a Go escape at {@code i} that is not an assertion or class: punctuation
     * stands for itself; octal, hex and the C control escapes; anything else is an error in Go.
     */
    private int escapedCharacter() throws SyntaxException {
        int e = c[i++];
        if (e < 0x80 && !Character.isLetterOrDigit(e)) {
            return e;
        }
        switch (e) {
            case '1', '2', '3', '4', '5', '6', '7', '0' -> {
                if (e != '0' && (i >= c.length || c[i] < '0' || c[i] > '7')) {
                    throw new SyntaxException("invalid escape sequence: \\" + Character.toString(e));
                }
                int value = e - '0';
                for (int k = 1; k < 3 && i < c.length && c[i] >= '0' && c[i] <= '7'; k++) {
                    value = value * 8 + (c[i++] - '0');
                }
                return value;
            }
            case 'x' -> {
                if (i < c.length && c[i] == '{') {
                    int close = i + 1;
                    while (close < c.length && c[close] != '}') {
                        close++;
                    }
                    String hex = new String(c, i + 1, Math.max(0, close - i - 1));
                    i = close + 1;
                    return parseHex(hex);
                }
                if (i + 2 > c.length) {
                    throw new SyntaxException("invalid escape sequence: \\x");
                }
                String hex = new String(c, i, 2);
                i += 2;
                return parseHex(hex);
            }
            case 'a' -> { return 0x07; }
            case 'f' -> { return '\f'; }
            case 'n' -> { return '\n'; }
            case 'r' -> { return '\r'; }
            case 't' -> { return '\t'; }
            case 'v' -> { return 0x0B; }
            default -> throw new SyntaxException("invalid escape sequence: \\" + Character.toString(e));
        }
    }

    private static int parseHex(String hex) throws SyntaxException {
        try {
            int value = Integer.parseInt(hex, 16);
            if (hex.isEmpty() || hex.startsWith("+") || hex.startsWith("-") || value > 0x10FFFF) {
                throw new NumberFormatException(hex);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new SyntaxException("invalid escape sequence: \\x" + hex);
        }
    }

    /**
     * A class after its {@code [}, with Go's rules: {@code ^} negates; the first character may be
     * {@code ]} or {@code -} and is then literal; {@code [:name:]} is a POSIX class; a {@code [}
     * that does not start one is just a character.
     */
    private void characterClass() throws SyntaxException {
        StringBuilder items = new StringBuilder();
        boolean negated = i < c.length && c[i] == '^';
        if (negated) {
            i++;
        }
        boolean first = true;
        while (i >= c.length || c[i] != ']' || first) {
            if (i >= c.length) {
                throw new SyntaxException("missing closing ]");
            }
            first = false;
            if (c[i] == '[' && i + 1 < c.length && c[i + 1] == ':') {
                String posix = posixClass();
                if (posix != null) {
                    items.append(posix);
                    continue;
                }
            }
            if (c[i] == '\\' && i + 1 < c.length) {
                int saved = i;
                i++;
                String named = perlOrUnicodeClass();
                if (named != null) {
                    items.append(named);
                    continue;
                }
                i = saved;
            }
            int lo = classCharacter();
            int hi = lo;
            if (i + 1 < c.length && c[i] == '-' && c[i + 1] != ']') {
                i++;
                hi = classCharacter();
                if (hi < lo) {
                    throw new SyntaxException("invalid character class range");
                }
            }
            literal(lo, items);
            if (hi != lo) {
                items.append('-');
                literal(hi, items);
            }
        }
        i++; // ']'
        out.append('[').append(negated ? "^" : "").append(items).append(']');
    }

    private int classCharacter() throws SyntaxException {
        if (i >= c.length) {
            throw new SyntaxException("missing closing ]");
        }
        if (c[i] == '\\') {
            i++;
            if (i >= c.length) {
                throw new SyntaxException("trailing backslash at end of expression");
            }
            return escapedCharacter();
        }
        return c[i++];
    }

    /** {@code [:alpha:]} or {@code [:^alpha:]} at {@code i}; null when it is not one. */
    private String posixClass() throws SyntaxException {
        int close = -1;
        for (int k = i + 2; k + 1 < c.length; k++) {
            if (c[k] == ':' && c[k + 1] == ']') {
                close = k;
                break;
            }
        }
        if (close < 0) {
            return null;
        }
        String name = new String(c, i + 2, close - i - 2);
        boolean negated = name.startsWith("^");
        if (negated) {
            name = name.substring(1);
        }
        String java = switch (name) {
            case "alnum" -> "Alnum";
            case "alpha" -> "Alpha";
            case "ascii" -> "ASCII";
            case "blank" -> "Blank";
            case "cntrl" -> "Cntrl";
            case "digit" -> "Digit";
            case "graph" -> "Graph";
            case "lower" -> "Lower";
            case "print" -> "Print";
            case "punct" -> "Punct";
            case "space" -> "Space";
            case "upper" -> "Upper";
            case "word" -> null;
            case "xdigit" -> "XDigit";
            default -> throw new SyntaxException("invalid character class range: [:" + name + ":]");
        };
        i = close + 2;
        if (java == null) {
            return negated ? "[^0-9A-Za-z_]" : "0-9A-Za-z_";
        }
        // Go's [:space:] includes \v, Java's \p{Space} does too; both are ASCII-only.
        return (negated ? "\\P{" : "\\p{") + java + "}";
    }

    /** A character that matches only itself, in or out of a class. */
    private static void literal(int ch, StringBuilder to) {
        if (ch < 0x80 && Character.isLetterOrDigit(ch)) {
            to.append((char) ch);
        } else {
            to.append("\\x{").append(Integer.toHexString(ch)).append('}');
        }
    }
}
