package dev.jbuild.context;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * A nondeterministic automaton over code points, the one matching engine of the context's pattern
 * languages: Go regular expressions ({@link GoRegex}, which .dockerignore and {@code --exclude}
 * patterns become) and {@code filepath.Match} globs ({@link GoGlob}, COPY's source wildcards).
 *
 * <p>Why not {@link java.util.regex}: it backtracks, so <code>*a*a*a*a*a*a*b</code> against a
 * long name takes time exponential in the number of stars, and it recurses once per pattern
 * element, so a long pattern overflows the stack. Docker's Go regexps (RE2) have neither problem,
 * and a context comes from whoever wrote it. This automaton is built Thompson's way (one state or
 * two per pattern element) and run by keeping the set of states it can be in, as RE2 does: time
 * proportional to automaton size times text length for every pattern, memory proportional to the
 * automaton, and no recursion in building or running. Only whether it matches is computed.
 */
final class Nfa {

    /** Zero-width tests, as Go's regexp has them without flags. */
    enum Assertion {
        /** {@code ^} (Go's one-line mode) and {@code \A}. */
        BEGIN_TEXT,
        /** {@code $} (Go's one-line mode) and {@code \z}. */
        END_TEXT,
        /** {@code \b}: an ASCII word character on one side only. */
        WORD_BOUNDARY,
        /** {@code \B}. */
        NOT_WORD_BOUNDARY
    }

    private static final Assertion[] ASSERTIONS = Assertion.values();

    private static final byte CHAR = 0;
    private static final byte CLASS = 1;
    private static final byte SPLIT = 2;
    private static final byte EMPTY = 3;
    private static final byte ASSERT = 4;
    private static final byte MATCH = 5;

    private final byte[] op;
    /** The code point of a CHAR, the index in {@link #classes} of a CLASS, the ordinal of an ASSERT. */
    private final int[] arg;
    private final int[] out;
    /** The second successor of a SPLIT. */
    private final int[] alt;
    private final IntPredicate[] classes;
    private final int start;

    private Nfa(Builder b, int start) {
        this.op = Arrays.copyOf(b.op, b.states);
        this.arg = Arrays.copyOf(b.arg, b.states);
        this.out = Arrays.copyOf(b.out, b.states);
        this.alt = Arrays.copyOf(b.alt, b.states);
        this.classes = Arrays.copyOf(b.classes, b.classCount);
        this.start = start;
    }

    /** Whether the automaton matches all of {@code text}. */
    boolean matchesWhole(String text) {
        return new Run(text.codePoints().toArray(), true).result();
    }

    /** Whether it matches some part of {@code text} (Go's {@code MatchString}). */
    boolean matchesSomewhere(String text) {
        return new Run(text.codePoints().toArray(), false).result();
    }

    /** One simulation: the states reachable at each position, each state at most once per position. */
    private final class Run {
        private final int[] text;
        private final boolean whole;
        /** The position whose list holds each state, so that no state is added twice. */
        private final int[] addedAt;
        private final int[] stack;
        private int[] current;
        private int[] next;
        private boolean matched;

        Run(int[] text, boolean whole) {
            this.text = text;
            this.whole = whole;
            this.addedAt = new int[op.length];
            Arrays.fill(addedAt, -1);
            this.stack = new int[op.length];
            this.current = new int[op.length];
            this.next = new int[op.length];
        }

        boolean result() {
            int size = add(start, 0, current, 0);
            for (int pos = 0; pos < text.length && !matched; pos++) {
                int ch = text[pos];
                int nextSize = 0;
                for (int k = 0; k < size; k++) {
                    int s = current[k];
                    boolean step = op[s] == CHAR ? arg[s] == ch : classes[arg[s]].test(ch);
                    if (step) {
                        nextSize = add(out[s], pos + 1, next, nextSize);
                    }
                }
                if (!whole) {
                    nextSize = add(start, pos + 1, next, nextSize); // a match may start anywhere
                } else if (nextSize == 0) {
                    return matched;
                }
                int[] swap = current;
                current = next;
                next = swap;
                size = nextSize;
            }
            return matched;
        }

        /** Adds {@code state} and what it reaches without reading, at {@code pos}; returns the new size. */
        private int add(int state, int pos, int[] list, int size) {
            int depth = 0;
            if (addedAt[state] != pos) {
                addedAt[state] = pos;
                stack[depth++] = state;
            }
            while (depth > 0) {
                int s = stack[--depth];
                switch (op[s]) {
                    case CHAR, CLASS -> list[size++] = s;
                    case MATCH -> matched |= !whole || pos == text.length;
                    case SPLIT -> {
                        depth = push(alt[s], pos, depth);
                        depth = push(out[s], pos, depth);
                    }
                    case ASSERT -> {
                        if (holds(ASSERTIONS[arg[s]], pos)) {
                            depth = push(out[s], pos, depth);
                        }
                    }
                    default -> depth = push(out[s], pos, depth);
                }
            }
            return size;
        }

        private int push(int state, int pos, int depth) {
            if (addedAt[state] == pos) {
                return depth;
            }
            addedAt[state] = pos;
            stack[depth] = state;
            return depth + 1;
        }

        private boolean holds(Assertion a, int pos) {
            return switch (a) {
                case BEGIN_TEXT -> pos == 0;
                case END_TEXT -> pos == text.length;
                case WORD_BOUNDARY -> wordBefore(pos) != wordAt(pos);
                case NOT_WORD_BOUNDARY -> wordBefore(pos) == wordAt(pos);
            };
        }

        private boolean wordBefore(int pos) {
            return pos > 0 && isAsciiWord(text[pos - 1]);
        }

        private boolean wordAt(int pos) {
            return pos < text.length && isAsciiWord(text[pos]);
        }
    }

    /** Go's {@code \w}: {@code [0-9A-Za-z_]}. */
    static boolean isAsciiWord(int ch) {
        return ch < 0x80 && (Character.isLetterOrDigit(ch) || ch == '_');
    }

    /** A class of code points given as inclusive ranges {@code lo0, hi0, lo1, hi1, ...}. */
    static IntPredicate ranges(int[] loHi, boolean negated) {
        int[] r = loHi.clone();
        return ch -> {
            for (int k = 0; k < r.length; k += 2) {
                if (r[k] <= ch && ch <= r[k + 1]) {
                    return !negated;
                }
            }
            return negated;
        };
    }

    /**
     * Builds an automaton from pattern elements in postfix order, on a stack of fragments: an
     * element pushes one, an operator replaces the fragments it works on with the result (as in
     * Thompson's construction). Successors not yet known are kept as lists threaded through the
     * unset fields, so every operation is constant time and none recurses.
     */
    static final class Builder {

        private byte[] op = new byte[16];
        private int[] arg = new int[16];
        private int[] out = new int[16];
        private int[] alt = new int[16];
        private int states;
        private IntPredicate[] classes = new IntPredicate[4];
        private int classCount;
        /** Fragments: start state, first and last unset successor ("hole", see {@link #hole}). */
        private int[] fragments = new int[3 * 16];
        private int fragmentCount;

        /** Pushes a fragment that reads {@code codePoint}. */
        Builder literal(int codePoint) {
            return single(CHAR, codePoint);
        }

        /** Pushes a fragment that reads one code point of the class. */
        Builder characterClass(IntPredicate members) {
            if (classCount == classes.length) {
                classes = Arrays.copyOf(classes, classCount * 2);
            }
            classes[classCount] = members;
            return single(CLASS, classCount++);
        }

        Builder assertion(Assertion a) {
            return single(ASSERT, a.ordinal());
        }

        /** Pushes a fragment that matches the empty string. */
        Builder empty() {
            return single(EMPTY, 0);
        }

        /** Replaces the top two fragments with the first followed by the second. */
        Builder concatenate() {
            int b = pop();
            int a = pop();
            patch(fragments[a + 1], fragments[b]);
            push(fragments[a], fragments[b + 1], fragments[b + 2]);
            return this;
        }

        /** Replaces the top two fragments with either of them. */
        Builder alternate() {
            int b = pop();
            int a = pop();
            int s = state(SPLIT, 0);
            out[s] = fragments[a];
            alt[s] = fragments[b];
            push(s, fragments[a + 1], append(fragments[a + 2], fragments[b + 1], fragments[b + 2]));
            return this;
        }

        /** Replaces the top fragment with any number of repetitions of it. */
        Builder star() {
            int a = pop();
            int s = loop(a);
            push(s, hole(s, true), hole(s, true));
            return this;
        }

        /** Replaces the top fragment with one or more repetitions of it. */
        Builder plus() {
            int a = pop();
            int s = loop(a);
            push(fragments[a], hole(s, true), hole(s, true));
            return this;
        }

        /** Replaces the top fragment with it or nothing. */
        Builder optional() {
            int a = pop();
            int s = state(SPLIT, 0);
            out[s] = fragments[a];
            alt[s] = -1;
            int first = fragments[a + 1];
            int last = append(fragments[a + 2], hole(s, true), hole(s, true));
            push(s, first, last);
            return this;
        }

        /** The automaton for the one fragment left on the stack. */
        Nfa build() {
            if (fragmentCount != 1) {
                throw new IllegalStateException("pattern fragments left: " + fragmentCount);
            }
            int f = pop();
            int match = state(MATCH, 0);
            patch(fragments[f + 1], match);
            return new Nfa(this, fragments[f]);
        }

        /** A SPLIT that enters fragment {@code a} or leaves, with {@code a}'s ends leading back to it. */
        private int loop(int a) {
            int s = state(SPLIT, 0);
            out[s] = fragments[a];
            alt[s] = -1;
            patch(fragments[a + 1], s);
            return s;
        }

        private Builder single(byte kind, int argument) {
            int s = state(kind, argument);
            int h = hole(s, false);
            push(s, h, h);
            return this;
        }

        private int state(byte kind, int argument) {
            if (states == op.length) {
                int n = states * 2;
                op = Arrays.copyOf(op, n);
                arg = Arrays.copyOf(arg, n);
                out = Arrays.copyOf(out, n);
                alt = Arrays.copyOf(alt, n);
            }
            op[states] = kind;
            arg[states] = argument;
            out[states] = -1;
            alt[states] = -1;
            return states++;
        }

        /** A reference to an unset successor field: {@code out} (even) or {@code alt} (odd) of a state. */
        private static int hole(int state, boolean alternative) {
            return state * 2 + (alternative ? 1 : 0);
        }

        private int holeValue(int h) {
            return (h & 1) == 0 ? out[h >> 1] : alt[h >> 1];
        }

        private void setHole(int h, int value) {
            if ((h & 1) == 0) {
                out[h >> 1] = value;
            } else {
                alt[h >> 1] = value;
            }
        }

        /** Links the list ending in {@code last} to the one starting at {@code first}; returns the new last. */
        private int append(int last, int first, int newLast) {
            setHole(last, -2 - first); // unset fields hold -2 - (next hole), -1 ends the list
            return newLast;
        }

        private void patch(int first, int target) {
            for (int h = first; h >= 0; ) {
                int link = holeValue(h);
                setHole(h, target);
                h = link == -1 ? -1 : -2 - link;
            }
        }

        private void push(int startState, int firstHole, int lastHole) {
            if (fragmentCount * 3 == fragments.length) {
                fragments = Arrays.copyOf(fragments, fragments.length * 2);
            }
            int f = fragmentCount++ * 3;
            fragments[f] = startState;
            fragments[f + 1] = firstHole;
            fragments[f + 2] = lastHole;
        }

        /** Pops a fragment; returns its offset in {@link #fragments}, valid until the next push. */
        private int pop() {
            if (fragmentCount == 0) {
                throw new IllegalStateException("no pattern fragment to work on");
            }
            return --fragmentCount * 3;
        }
    }
}
