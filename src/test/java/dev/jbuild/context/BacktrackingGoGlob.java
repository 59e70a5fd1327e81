package dev.jbuild.context;

/**
 * The backtracking matcher GoGlob had before it ran on {@link Nfa}, kept as the reference for
 * {@link PatternEquivalenceTest}: exponential on some patterns, so only fed short ones.
 */
final class BacktrackingGoGlob {

    private BacktrackingGoGlob() {}

    /** Whether {@code name} (one element, no slash) matches {@code pattern}. */
    static boolean matches(String pattern, String name) {
        if (!GoGlobSyntax.isValid(pattern)) {
            return false;
        }
        return matchFrom(pattern.codePoints().toArray(), 0, name.codePoints().toArray(), 0);
    }

    private static boolean matchFrom(int[] p, int pi, int[] s, int si) {
        while (pi < p.length) {
            int c = p[pi];
            if (c == '*') {
                while (pi < p.length && p[pi] == '*') {
                    pi++;
                }
                for (int k = si; k <= s.length; k++) {
                    if (matchFrom(p, pi, s, k)) {
                        return true;
                    }
                    if (k < s.length && s[k] == '/') {
                        return false; // a star never crosses a separator
                    }
                }
                return false;
            }
            if (si >= s.length) {
                return false;
            }
            if (c == '?') {
                if (s[si] == '/') {
                    return false;
                }
                pi++;
            } else if (c == '[') {
                int end = classEnd(p, pi);
                if (!classMatches(p, pi + 1, end, s[si])) {
                    return false;
                }
                pi = end + 1;
            } else {
                if (c == '\\') {
                    pi++;
                    c = p[pi];
                }
                if (c != s[si]) {
                    return false;
                }
                pi++;
            }
            si++;
        }
        return si == s.length;
    }

    /** The index of the {@code ]} closing the class opened at {@code open} (syntax already checked). */
    private static int classEnd(int[] p, int open) {
        int i = open + 1;
        if (p[i] == '^') {
            i++;
        }
        boolean first = true;
        while (first || p[i] != ']') {
            first = false;
            i += p[i] == '\\' ? 2 : 1;
        }
        return i;
    }

    private static boolean classMatches(int[] p, int from, int end, int ch) {
        int i = from;
        boolean negated = p[i] == '^';
        if (negated) {
            i++;
        }
        boolean matched = false;
        while (i < end) {
            if (p[i] == '\\') {
                i++;
            }
            int lo = p[i++];
            int hi = lo;
            if (i < end && p[i] == '-') {
                i++;
                if (p[i] == '\\') {
                    i++;
                }
                hi = p[i++];
            }
            if (lo <= ch && ch <= hi) {
                matched = true;
            }
        }
        return matched != negated;
    }
}
