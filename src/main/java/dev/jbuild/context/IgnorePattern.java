package dev.jbuild.context;

/**
 * One cleaned .dockerignore pattern and how Docker matches it (moby/patternmatcher): a pattern
 * without wildcards compares exactly; {@code dir/**} is a prefix test; <code>**&#47;name</code> a
 * suffix test; anything else becomes a regular expression in which {@code *} and {@code ?} never
 * cross a {@code /}, <code>**&#47;</code> spans any number of directories (also none), and
 * {@code [...]} and {@code \} are handed to the regular expression as written. The expression is
 * read with Go's syntax and matched by {@link GoRegex} in time proportional to pattern times path
 * length, as Go's RE2 does, so no pattern can stall a build.
 *
 * @param text the cleaned pattern without its {@code !}
 * @param exclusion whether it was written with {@code !} (re-includes what it matches)
 * @param kind how it is tested
 * @param regex the expression, for {@link Kind#REGEX} only
 */
record IgnorePattern(String text, boolean exclusion, Kind kind, GoRegex regex) {

    enum Kind { EXACT, PREFIX, SUFFIX, REGEX }

    /** How a pattern is tested, and the Go expression Docker makes of it (used for {@link Kind#REGEX}). */
    record Translation(Kind kind, String goRegex) {}

    /** Characters fsutil treats as "this exception is not a plain path" when pruning directories. */
    private static final String PATTERN_CHARS = "*[]?^\\";

    /** Builds the pattern from a cleaned text; the caller has checked its syntax. */
    static IgnorePattern compile(String text, boolean exclusion) throws GoRegex.SyntaxException {
        Translation t = translate(text);
        GoRegex regex = t.kind() == Kind.REGEX ? GoRegex.compile(t.goRegex()) : null;
        return new IgnorePattern(text, exclusion, t.kind(), regex);
    }

    /** patternmatcher's conversion of a cleaned pattern, character by character. */
    static Translation translate(String text) {
        int[] c = text.codePoints().toArray();
        int i = c.length > 0 && c[0] == 0xFEFF ? 1 : 0; // Go's scanner skips a leading BOM
        StringBuilder goRegex = new StringBuilder("^");
        Kind kind = Kind.EXACT;
        for (int token = 0; i < c.length; token++) {
            int ch = c[i++];
            if (ch == '*') {
                if (i < c.length && c[i] == '*') {
                    i++;
                    if (i < c.length && c[i] == '/') {
                        i++; // "**/" is the same as "**"
                    }
                    if (i == c.length) {
                        if (kind == Kind.EXACT) {
                            kind = Kind.PREFIX;
                        } else {
                            goRegex.append(".*");
                            kind = Kind.REGEX;
                        }
                    } else {
                        goRegex.append("(.*/)?");
                        kind = Kind.REGEX;
                    }
                    if (token == 0) {
                        kind = Kind.SUFFIX;
                    }
                } else {
                    goRegex.append("[^/]*");
                    kind = Kind.REGEX;
                }
            } else if (ch == '?') {
                goRegex.append("[^/]");
                kind = Kind.REGEX;
            } else if (".+()|{}$".indexOf(ch) >= 0) {
                goRegex.append('\\').append((char) ch);
            } else if (ch == '\\') {
                if (i < c.length) {
                    goRegex.append('\\').appendCodePoint(c[i++]);
                    kind = Kind.REGEX;
                } else {
                    goRegex.append('\\');
                }
            } else if (ch == '[' || ch == ']') {
                goRegex.append((char) ch);
                kind = Kind.REGEX;
            } else {
                goRegex.appendCodePoint(ch);
            }
        }
        return new Translation(kind, goRegex.append('$').toString());
    }

    boolean matches(String path) {
        return switch (kind) {
            case EXACT -> path.equals(text);
            case PREFIX -> path.startsWith(text.substring(0, text.length() - 2));
            case SUFFIX -> {
                String suffix = text.substring(2);
                // "**/foo" also matches "foo" at the top
                yield path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
            }
            case REGEX -> regex.matches(path); // Go's MatchString, as patternmatcher calls it
        };
    }

    /**
     * Whether this exception names plain paths only, so that a walker can tell from the text
     * alone which excluded directories it might re-include something from.
     */
    boolean isPlainPath() {
        return withoutTrailingGlob().chars().noneMatch(ch -> PATTERN_CHARS.indexOf(ch) >= 0);
    }

    /** The text without a trailing {@code /**} or {@code /*}, as fsutil compares it with directories. */
    String withoutTrailingGlob() {
        String s = text;
        if (s.endsWith("/**")) {
            s = s.substring(0, s.length() - 3);
        }
        if (s.endsWith("/*")) {
            s = s.substring(0, s.length() - 2);
        }
        return s;
    }
}
