package dev.jbuild.context;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A Go (RE2) regular expression, read with Go's syntax and matched by an {@link Nfa}, so in time
 * proportional to expression length times text length, as Go matches. Docker turns each
 * .dockerignore pattern into a Go regexp and hands {@code [...]} classes and {@code \} escapes
 * through unchanged, so a pattern such as {@code [[:digit:]]}, {@code [*]} or {@code \d} means
 * what Go's parser makes of it. This parser covers the syntax Docker's pattern conversion can
 * produce (literals and escapes, {@code \Q...\E}, classes with POSIX names, Perl and Unicode
 * classes, {@code .}, {@code ^ $ \A \z \b \B}, groups, {@code |}, {@code * + ?}) without recursion;
 * what it cannot produce ({@code (?flags)}, {@code {n,m}} repeats) is refused.
 */
final class GoRegex {

    /** A Go expression that Go would reject, or that this parser does not support. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    /** Go's {@code .} without the s flag: anything but a newline. */
    private static final IntPredicate NOT_NEWLINE = ch -> ch != '\n';
    private static final int[] DIGIT = {'0', '9'};
    private static final int[] SPACE = {'\t', '\n', '\f', '\f', '\r', '\r', ' ', ' '};
    private static final int[] WORD = {'0', '9', 'A', 'Z', 'a', 'z', '_', '_'};

    private final Nfa nfa;

    private GoRegex(Nfa nfa) {
        this.nfa = nfa;
    }

    static GoRegex compile(String goRegex) throws SyntaxException {
        return new GoRegex(new Parser(goRegex).parse());
    }

    /** Go's {@code MatchString}: whether the expression matches some part of {@code text}. */
    boolean matches(String text) {
        return nfa.matchesSomewhere(text);
    }

    /**
     * Reads the expression left to right into the automaton builder's postfix operations. Groups
     * are kept on an explicit stack: per open group, how many items and alternatives were pending
     * outside it (Thompson's and Cox's bookkeeping), so nesting costs no Java stack.
     */
    private static final class Parser {
        private final int[] c;
        private int i;
        private final Nfa.Builder b = new Nfa.Builder();
        /** Items in the current alternative not yet joined, and finished alternatives of this group. */
        private int items;
        private int alternatives;
        private final List<int[]> openGroups = new ArrayList<>();

        Parser(String goRegex) {
            this.c = goRegex.codePoints().toArray();
        }

        Nfa parse() throws SyntaxException {
            boolean lastWasRepeat = false;
            while (i < c.length) {
                int ch = c[i++];
                boolean repeat = false;
                switch (ch) {
                    case '(' -> {
                        if (i < c.length && c[i] == '?') {
                            throw new SyntaxException("unsupported group syntax: (?");
                        }
                        joinAllButLast();
                        openGroups.add(new int[] {items, alternatives});
                        items = 0;
                        alternatives = 0;
                    }
                    case '|' -> {
                        finishAlternative();
                        alternatives++;
                    }
                    case ')' -> {
                        if (openGroups.isEmpty()) {
                            throw new SyntaxException("unexpected )");
                        }
                        finishGroup();
                        int[] outer = openGroups.remove(openGroups.size() - 1);
                        items = outer[0];
                        alternatives = outer[1];
                        addedItem();
                    }
                    case '*', '+', '?' -> {
                        if (lastWasRepeat) {
                            throw new SyntaxException("invalid nested repetition operator: " + Character.toString(ch));
                        }
                        if (items == 0) {
                            throw new SyntaxException("missing argument to repetition operator: " + Character.toString(ch));
                        }
                        switch (ch) {
                            case '*' -> b.star();
                            case '+' -> b.plus();
                            default -> b.optional();
                        }
                        if (i < c.length && c[i] == '?') {
                            i++; // non-greedy: the same strings match
                        }
                        repeat = true;
                    }
                    case '{' -> {
                        if (isRepeatCount()) {
                            throw new SyntaxException("unsupported repetition count: {");
                        }
                        item().literal('{'); // Go: a '{' that does not start a count is literal
                    }
                    case '^' -> item().assertion(Nfa.Assertion.BEGIN_TEXT);
                    case '$' -> item().assertion(Nfa.Assertion.END_TEXT); // Go's '$' without m: end of text
                    case '.' -> item().characterClass(NOT_NEWLINE);
                    case '[' -> {
                        IntPredicate members = characterClass();
                        item().characterClass(members);
                    }
                    case '\\' -> escapeOutsideClass();
                    default -> item().literal(ch);
                }
                lastWasRepeat = repeat;
            }
            if (!openGroups.isEmpty()) {
                throw new SyntaxException("missing closing )");
            }
            finishGroup();
            return b.build();
        }

        /** Makes room for one more item in the current alternative; the caller pushes it. */
        private Nfa.Builder item() {
            joinAllButLast();
            addedItem();
            return b;
        }

        private void addedItem() {
            joinAllButLast();
            items++;
        }

        /** Keeps at most one pending item besides the next, so a repetition applies to the last one. */
        private void joinAllButLast() {
            if (items > 1) {
                b.concatenate();
                items--;
            }
        }

        private void finishAlternative() {
            if (items == 0) {
                b.empty();
                items = 1;
            }
            for (; items > 1; items--) {
                b.concatenate();
            }
            items = 0;
        }

        private void finishGroup() {
            finishAlternative();
            for (; alternatives > 0; alternatives--) {
                b.alternate();
            }
        }

        /** Go's {@code {n}}, {@code {n,}} or {@code {n,m}} after the {@code {} just read. */
        private boolean isRepeatCount() {
            int k = i;
            int digits = 0;
            while (k < c.length && c[k] >= '0' && c[k] <= '9') {
                k++;
                digits++;
            }
            if (digits == 0 || k >= c.length) {
                return false;
            }
            if (c[k] == ',') {
                k++;
                while (k < c.length && c[k] >= '0' && c[k] <= '9') {
                    k++;
                }
            }
            return k < c.length && c[k] == '}';
        }

        private void escapeOutsideClass() throws SyntaxException {
            if (i >= c.length) {
                throw new SyntaxException("trailing backslash at end of expression");
            }
            int e = c[i];
            switch (e) {
                case 'A' -> { i++; item().assertion(Nfa.Assertion.BEGIN_TEXT); }
                case 'z' -> { i++; item().assertion(Nfa.Assertion.END_TEXT); }
                case 'b' -> { i++; item().assertion(Nfa.Assertion.WORD_BOUNDARY); }
                case 'B' -> { i++; item().assertion(Nfa.Assertion.NOT_WORD_BOUNDARY); }
                case 'Q' -> {
                    // \Q...\E: literal up to the first \E, or to the end (which may swallow a '$')
                    i++;
                    while (i < c.length && !(c[i] == '\\' && i + 1 < c.length && c[i + 1] == 'E')) {
                        item().literal(c[i++]);
                    }
                    i = Math.min(c.length, i + 2);
                }
                default -> {
                    IntPredicate named = perlOrUnicodeClass();
                    if (named != null) {
                        item().characterClass(named);
                    } else {
                        item().literal(escapedCharacter());
                    }
                }
            }
        }

        /**
         * {@code \d \s \w} (and negations) or {@code \pX \p{Name} \PX \P{Name}} at {@code i} (just
         * after the backslash); null when the escape is something else.
         */
        private IntPredicate perlOrUnicodeClass() throws SyntaxException {
            int e = c[i];
            IntPredicate perl = switch (e) {
                case 'd' -> Nfa.ranges(DIGIT, false);
                case 's' -> Nfa.ranges(SPACE, false);
                case 'w' -> Nfa.ranges(WORD, false);
                case 'D' -> Nfa.ranges(DIGIT, true);
                case 'S' -> Nfa.ranges(SPACE, true);
                case 'W' -> Nfa.ranges(WORD, true);
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
            IntPredicate members = GoUnicodeClasses.named(name);
            if (members == null) {
                throw new SyntaxException("invalid character class range: \\p{" + name + "}");
            }
            return negated ? members.negate() : members;
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
                        String hex = new String(c, i + 1, close - i - 1);
                        if (close >= c.length) {
                            throw new SyntaxException("invalid escape sequence: \\x{" + hex);
                        }
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
                if (hex.isEmpty() || hex.startsWith("+") || hex.startsWith("-") || hex.length() > 8) {
                    throw new NumberFormatException(hex);
                }
                int value = Integer.parseInt(hex, 16);
                if (value > 0x10FFFF) {
                    throw new NumberFormatException(hex);
                }
                return value;
            } catch (NumberFormatException e) {
                throw new SyntaxException("invalid escape sequence: \\x" + hex);
            }
        }

        /**
         * A class after its {@code [}, with Go's rules: {@code ^} negates; the first character may
         * be {@code ]} or {@code -} and is then literal; {@code [:name:]} is a POSIX class; a
         * {@code [} that does not start one is just a character.
         */
        private IntPredicate characterClass() throws SyntaxException {
            List<Integer> ranges = new ArrayList<>();
            List<IntPredicate> named = new ArrayList<>();
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
                    IntPredicate posix = posixClass();
                    if (posix != null) {
                        named.add(posix);
                        continue;
                    }
                }
                if (c[i] == '\\' && i + 1 < c.length) {
                    int saved = i;
                    i++;
                    IntPredicate perlOrUnicode = perlOrUnicodeClass();
                    if (perlOrUnicode != null) {
                        named.add(perlOrUnicode);
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
                ranges.add(lo);
                ranges.add(hi);
            }
            i++; // ']'
            IntPredicate listed = Nfa.ranges(ranges.stream().mapToInt(Integer::intValue).toArray(), false);
            for (IntPredicate p : named) {
                listed = listed.or(p);
            }
            return negated ? listed.negate() : listed;
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
        private IntPredicate posixClass() throws SyntaxException {
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
            // Go's tables: all ASCII.
            int[] members = switch (name) {
                case "alnum" -> new int[] {'0', '9', 'A', 'Z', 'a', 'z'};
                case "alpha" -> new int[] {'A', 'Z', 'a', 'z'};
                case "ascii" -> new int[] {0, 0x7F};
                case "blank" -> new int[] {'\t', '\t', ' ', ' '};
                case "cntrl" -> new int[] {0, 0x1F, 0x7F, 0x7F};
                case "digit" -> DIGIT;
                case "graph" -> new int[] {'!', '~'};
                case "lower" -> new int[] {'a', 'z'};
                case "print" -> new int[] {' ', '~'};
                case "punct" -> new int[] {'!', '/', ':', '@', '[', '`', '{', '~'};
                case "space" -> new int[] {'\t', '\r', ' ', ' '};
                case "upper" -> new int[] {'A', 'Z'};
                case "word" -> WORD;
                case "xdigit" -> new int[] {'0', '9', 'A', 'F', 'a', 'f'};
                default -> throw new SyntaxException("invalid character class range: [:" + name + ":]");
            };
            i = close + 2;
            return Nfa.ranges(members, negated);
        }
    }
}
