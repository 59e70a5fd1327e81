package dev.jbuild.dockerfile;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Variable expansion and word splitting with the rules of BuildKit's shell lexer: {@code $VAR},
 * {@code ${VAR}}, the {@code :-}, {@code -}, {@code :+}, {@code +}, {@code :?}, {@code ?},
 * {@code #}, {@code ##}, {@code %}, {@code %%} and {@code /a/b} operators, single and double
 * quotes, and the Dockerfile's escape character. Only the instructions BuildKit expands use it
 * (ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG, ONBUILD's
 * trigger); RUN, CMD and ENTRYPOINT are left to the container's shell.
 *
 * <p>Patterns ({@code #}, {@code %}, {@code /}) know {@code *} and {@code ?} only; as in BuildKit,
 * {@code [} is literal. Positional ({@code $1}) and special ({@code $@}, {@code $#} ...) parameters
 * are parsed like a shell does but are never set. Instances are immutable and thread-safe.
 */
public final class ShellWords {

    /** The result of one expansion and the variable names it looked up (to report unused build args). */
    public record Expansion(String word, Set<String> referenced) {}

    /**
     * Everything one expansion yields: the word, its split {@code words}, the names looked up that
     * were set ({@code matched}: the build args a Dockerfile uses) and those that were not
     * ({@code unmatched}: candidates for an undefined-variable warning). Sets keep lookup order.
     */
    public record Result(String word, List<String> words, Set<String> matched, Set<String> unmatched) {

        public Result {
            words = List.copyOf(words);
            matched = unmodifiableOrdered(matched);
            unmatched = unmodifiableOrdered(unmatched);
        }

        /** Every name looked up, set or not, in lookup order. */
        Set<String> referenced() {
            Set<String> all = new LinkedHashSet<>(matched);
            all.addAll(unmatched);
            return unmodifiableOrdered(all);
        }

        private static Set<String> unmodifiableOrdered(Set<String> names) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(names));
        }
    }

    /**
     * How deeply substitutions may nest: <code>${a:-${b:-...}}</code>, also through double quotes
     * inside them. Go's growable stacks let BuildKit recurse through any nesting; a JVM stack does
     * not, so deeper words are a syntax error (whatever the variables' values) instead of a stack
     * overflow. Real Dockerfiles nest two or three levels. Both lexers (this one and the heredoc
     * marker lexer) use it; docs/security.md lists it.
     */
    public static final int MAX_SUBSTITUTION_DEPTH = 100;

    static final String TOO_DEEP = "syntax error: substitutions nested more than " + MAX_SUBSTITUTION_DEPTH + " levels deep";

    private final char escape;

    /** @param escape the Dockerfile's escape character: {@code \} or {@code `} */
    public ShellWords(char escape) {
        this.escape = escape;
    }

    /**
     * Expands {@code word} into one string, quotes removed. An unset variable expands to the
     * empty string; {@code env} maps names to values (a present key with "" is set but empty).
     */
    public String expand(String word, Map<String, String> env) throws ShellExpansionException {
        return process(word, env).word();
    }

    /** Like {@link #expand} but also reports which variable names were referenced (set or not). */
    Expansion expandTracking(String word, Map<String, String> env) throws ShellExpansionException {
        Result result = process(word, env);
        return new Expansion(result.word(), result.referenced());
    }

    /**
     * Expands and splits at unquoted blanks, as ADD/COPY/EXPOSE/VOLUME arguments in shell form
     * are split. Blanks from a variable's value split too, unless quoted.
     */
    public List<String> expandWords(String word, Map<String, String> env) throws ShellExpansionException {
        return process(word, env).words();
    }

    /** Expands {@code word} once and reports everything: text, words, and the names looked up. */
    public Result process(String word, Map<String, String> env) throws ShellExpansionException {
        return process(new ShellLexer(word, escape, env), word);
    }

    /**
     * Expands the body of a heredoc whose delimiter is unquoted, as BuildKit expands one a COPY
     * writes: variables expand and a backslash escapes the character after it (so {@code \$X}
     * is {@code $X}, {@code \\} one backslash, {@code \n} an {@code n}, and a backslash before a line's
     * end goes while the line break stays), while quotes are plain text. The escape character is the backslash whatever the Dockerfile's {@code escape}
     * directive says: BuildKit makes this lexer with a fixed one.
     */
    public static Result processHeredocBody(String body, Map<String, String> env) throws ShellExpansionException {
        return process(new ShellLexer(body, '\\', env, true), body);
    }

    private static Result process(ShellLexer lexer, String word) throws ShellExpansionException {
        ShellLexer.Scanned scanned;
        try {
            scanned = lexer.process();
        } catch (ShellExpansionException e) {
            throw new ShellExpansionException("failed to process \"" + word + "\": " + e.getMessage(), e.limitExceeded(),
                    word, charOffset(word, e.offset()));
        }
        return new Result(scanned.text(), scanned.words(), lexer.matched(), lexer.unmatched());
    }

    /** The lexer counts code points after a leading byte order mark; callers index the word by chars. */
    private static int charOffset(String word, int codePoints) {
        if (codePoints < 0) {
            return -1;
        }
        int skip = word.startsWith("\uFEFF") ? 1 : 0;
        return word.offsetByCodePoints(skip, codePoints);
    }
}
