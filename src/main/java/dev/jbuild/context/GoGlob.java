package dev.jbuild.context;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Go's {@code path/filepath.Match} for one path element, which is how {@code COPY} and {@code ADD}
 * expand wildcards in their sources (fsutil's {@code ResolveWildcards}): {@code *} is any run of
 * characters, {@code ?} one character, {@code [...]} a class ({@code ^} negates, {@code a-z}
 * ranges), {@code \} escapes the next character. <code>**</code> is just two stars. A malformed
 * pattern matches nothing, as fsutil ignores Match's error. Matching runs on an {@link Nfa}, so no
 * pattern takes more than pattern length times name length.
 */
final class GoGlob {

    private GoGlob() {}

    /** fsutil's test for "is this a pattern": an unescaped {@code *}, {@code ?} or {@code [}. */
    static boolean hasWildcards(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[') {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name} (one element, no slash) matches {@code pattern}. */
    static boolean matches(String pattern, String name) {
        return compile(pattern).matches(name);
    }

    /** The pattern ready to test many names with. */
    static Compiled compile(String pattern) {
        return new Compiled(GoGlobSyntax.isValid(pattern) ? automaton(pattern.codePoints().toArray()) : null);
    }

    /** A compiled pattern; a malformed one (no automaton) matches nothing. */
    static final class Compiled {
        private final Nfa nfa;

        private Compiled(Nfa nfa) {
            this.nfa = nfa;
        }

        /** Whether all of {@code name} matches, in time proportional to pattern times name length. */
        boolean matches(String name) {
            return nfa != null && nfa.matchesWhole(name);
        }
    }

    private static final IntPredicate NOT_SLASH = ch -> ch != '/';

    /** The automaton of a pattern whose syntax {@link GoGlobSyntax} accepted. */
    private static Nfa automaton(int[] p) {
        Nfa.Builder b = new Nfa.Builder().empty();
        int i = 0;
        while (i < p.length) {
            int c = p[i];
            if (c == '*') {
                while (i < p.length && p[i] == '*') {
                    i++; // a run of stars is one star
                }
                b.characterClass(NOT_SLASH).star(); // a star never crosses a separator
            } else if (c == '?') {
                i++;
                b.characterClass(NOT_SLASH);
            } else if (c == '[') {
                i = characterClass(p, i + 1, b);
            } else {
                if (c == '\\') {
                    i++;
                }
                b.literal(p[i++]);
            }
            b.concatenate();
        }
        return b.build();
    }

    /**
     * Pushes the class whose items start at {@code from} (after the {@code [}); returns the index
     * after its {@code ]}. Go's filepath.Match: {@code ^} negates, {@code lo-hi} ranges, {@code \}
     * escapes; a class may match a {@code /}.
     */
    private static int characterClass(int[] p, int from, Nfa.Builder b) {
        int i = from;
        boolean negated = p[i] == '^';
        if (negated) {
            i++;
        }
        List<Integer> ranges = new ArrayList<>();
        boolean first = true;
        while (first || p[i] != ']') {
            first = false;
            if (p[i] == '\\') {
                i++;
            }
            int lo = p[i++];
            int hi = lo;
            if (p[i] == '-') {
                i++;
                if (p[i] == '\\') {
                    i++;
                }
                hi = p[i++];
            }
            ranges.add(lo);
            ranges.add(hi);
        }
        b.characterClass(Nfa.ranges(ranges.stream().mapToInt(Integer::intValue).toArray(), negated));
        return i + 1;
    }
}
