package dev.jbuild.dockerfile;

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
 */
public final class ShellWords {

    /** The result of one expansion and the variable names it looked up (to report unused build args). */
    public record Expansion(String word, Set<String> referenced) {}

    private final char escape;

    public ShellWords(char escape) {
        this.escape = escape;
    }

    /**
     * Expands {@code word} into one string, quotes removed. An unset variable expands to the
     * empty string; {@code env} maps names to values (a present key with "" is set but empty).
     */
    public String expand(String word, Map<String, String> env) throws ShellExpansionException {
        return expandTracking(word, env).word();
    }

    /** Like {@link #expand} but also reports which variable names were referenced. */
    public Expansion expandTracking(String word, Map<String, String> env) throws ShellExpansionException {
        throw new UnsupportedOperationException("not written yet, escape=" + escape);
    }

    /**
     * Expands and splits at unquoted blanks, as ADD/COPY/EXPOSE/VOLUME arguments in shell form
     * are split. Blanks from a variable's value split too, unless quoted.
     */
    public List<String> expandWords(String word, Map<String, String> env) throws ShellExpansionException {
        throw new UnsupportedOperationException("not written yet");
    }
}
