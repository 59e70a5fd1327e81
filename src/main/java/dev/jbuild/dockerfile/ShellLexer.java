package dev.jbuild.dockerfile;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One expansion of one word: a recursive-descent walk over its characters that follows BuildKit's
 * {@code shell.Lex} step by step, so that odd inputs ({@code $@@}, <code>${X:YYY}</code>,
 * <code>${aaa}}</code>) come out the same. Single use, not thread-safe; {@link ShellWords} makes
 * one per call.
 */
final class ShellLexer {

    private static final int EOF = -1;

    /** What one run of {@link #processUntil} produced: the joined text and the split words. */
    record Scanned(String text, List<String> words) {}

    private final int[] chars;
    private int position;
    private final int escape;
    private final Map<String, String> env;
    /**
     * Quotes are plain characters: how BuildKit expands a heredoc body ({@code SkipProcessQuotes}),
     * where variables and the escape character still work.
     */
    private final boolean quotesLiteral;
    private final Set<String> matched = new LinkedHashSet<>();
    private final Set<String> unmatched = new LinkedHashSet<>();
    /**
     * Keep escape characters in the text. On inside the patterns of {@code #}, {@code %} and
     * {@code /}, where {@code \*} must reach the pattern matcher intact.
     */
    private boolean rawEscapes;
    /** How many nested words ({@link #processUntil}) are open; bounded by {@link ShellWords#MAX_SUBSTITUTION_DEPTH}. */
    private int depth;

    ShellLexer(String word, int escape, Map<String, String> env) {
        this(word, escape, env, false);
    }

    ShellLexer(String word, int escape, Map<String, String> env, boolean quotesLiteral) {
        int[] codePoints = word.codePoints().toArray();
        // Go's text/scanner, which BuildKit reads words with, skips a leading byte order mark.
        int skip = codePoints.length > 0 && codePoints[0] == 0xFEFF ? 1 : 0;
        this.chars = skip == 0 ? codePoints : Arrays.copyOfRange(codePoints, skip, codePoints.length);
        this.escape = escape;
        this.env = env;
        this.quotesLiteral = quotesLiteral;
    }

    Scanned process() throws ShellExpansionException {
        return processUntil(EOF, false);
    }

    /** Names that were looked up and set. */
    Set<String> matched() {
        return Collections.unmodifiableSet(matched);
    }

    /** Names that were looked up and unset (including positional and special parameters). */
    Set<String> unmatched() {
        return Collections.unmodifiableSet(unmatched);
    }

    private int peek() {
        return position < chars.length ? chars[position] : EOF;
    }

    private int next() {
        return position < chars.length ? chars[position++] : EOF;
    }

    /**
     * Expands up to {@code stop} (consumed, not included) or to the end when {@code stop} is EOF.
     * Reaching the end while looking for {@code stop} is an error.
     */
    private Scanned processUntil(int stop, boolean raw) throws ShellExpansionException {
        // Every recursion (a substitution's word, also one reached through double quotes) comes
        // through here, so one counter bounds the stack.
        if (depth > ShellWords.MAX_SUBSTITUTION_DEPTH) {
            throw new ShellExpansionException(ShellWords.TOO_DEEP, true);
        }
        boolean savedRaw = rawEscapes;
        rawEscapes = raw;
        depth++;
        try {
            return scan(stop);
        } finally {
            depth--;
            rawEscapes = savedRaw;
        }
    }

    private Scanned scan(int stop) throws ShellExpansionException {
        StringBuilder text = new StringBuilder();
        ShellWordSplitter words = new ShellWordSplitter();
        while (peek() != EOF) {
            int c = peek();
            if (stop != EOF && c == stop) {
                next();
                return new Scanned(text.toString(), words.words());
            }
            if (c == '$') {
                String value = dollar();
                text.append(value);
                words.add(value); // an unquoted value splits at blanks
            } else if ((c == '\'' || c == '"') && !quotesLiteral) {
                int quoteAt = position;
                String quoted;
                try {
                    quoted = c == '\'' ? processSingleQuote() : processDoubleQuote();
                } catch (ShellExpansionException e) {
                    throw e.at(quoteAt);
                }
                text.append(quoted);
                words.addRaw(quoted);
            } else {
                c = next();
                if (c == escape) {
                    if (rawEscapes) {
                        words.addRaw(c);
                        text.appendCodePoint(c);
                    }
                    c = next();
                    if (c == EOF) {
                        break; // a trailing escape character is dropped
                    }
                    words.addRaw(c);
                } else {
                    words.add(c);
                }
                text.appendCodePoint(c);
            }
        }
        if (stop != EOF) {
            throw new ShellExpansionException(
                    "unexpected end of statement while looking for matching " + Character.toString(stop));
        }
        return new Scanned(text.toString(), words.words());
    }

    /** Everything up to the next {@code '} is literal; there is no way to escape a quote. */
    private String processSingleQuote() throws ShellExpansionException {
        StringBuilder text = new StringBuilder();
        next();
        while (true) {
            int c = next();
            if (c == EOF) {
                throw new ShellExpansionException("unexpected end of statement while looking for matching single-quote");
            }
            if (c == '\'') {
                return text.toString();
            }
            text.appendCodePoint(c);
        }
    }

    /**
     * Up to the next unescaped {@code "}: variables expand; the escape character escapes only
     * {@code "}, {@code $} and itself, and stays literal before anything else.
     */
    private String processDoubleQuote() throws ShellExpansionException {
        StringBuilder text = new StringBuilder();
        next();
        while (true) {
            int c = peek();
            if (c == EOF) {
                throw new ShellExpansionException("unexpected end of statement while looking for matching double-quote");
            }
            if (c == '"') {
                next();
                return text.toString();
            }
            if (c == '$') {
                text.append(dollar());
                continue;
            }
            c = next();
            if (c == escape) {
                if (rawEscapes) {
                    text.appendCodePoint(c);
                }
                int following = peek();
                if (following == EOF) {
                    continue; // dropped; the loop then reports the missing quote
                }
                if (following == '"' || following == '$' || following == escape) {
                    c = next();
                }
            }
            text.appendCodePoint(c);
        }
    }

    /** A substitution; a failure in it that no inner part has placed is placed at its {@code $}. */
    private String dollar() throws ShellExpansionException {
        int dollarAt = position;
        try {
            return processDollar();
        } catch (ShellExpansionException e) {
            throw e.at(dollarAt);
        }
    }

    private String processDollar() throws ShellExpansionException {
        next(); // '$'
        if (peek() != '{') {
            String name = processName();
            if (name.isEmpty()) {
                return "$"; // "$." or a lone "$" is literal
            }
            String value = lookup(name);
            return value == null ? "" : value;
        }
        next(); // '{'
        int first = peek();
        if (first == EOF) {
            throw new ShellExpansionException("syntax error: missing '}'");
        }
        if (first == '{' || first == '}' || first == ':') {
            throw new ShellExpansionException("syntax error: bad substitution");
        }
        String name = processName();
        int operator = next();
        switch (operator) {
            case '}': {
                String value = lookup(name);
                return value == null ? "" : value;
            }
            case ':':
                return processModifier(name, next(), true);
            case '+': case '-': case '?': case '#': case '%':
                return processModifier(name, operator, false);
            case '/':
                return processReplace(name);
            case EOF:
                throw new ShellExpansionException("syntax error: missing '}'");
            default:
                throw unsupportedModifier(Character.toString(operator));
        }
    }

    /**
     * The text after <code>${name</code> and an operator, up to <code>}</code>. With a colon
     * ({@code nullIsUnset}) an empty value counts as unset. BuildKit reads the word before it
     * checks the operator, so <code>${X:YYY}</code> fails only once the word is complete.
     */
    private String processModifier(String name, int operator, boolean nullIsUnset) throws ShellExpansionException {
        boolean pattern = operator == '#' || operator == '%';
        if (pattern && nullIsUnset) {
            // ${X:#p} and ${X:%p} are no shell syntax; BuildKit refuses them before reading the word.
            throw unsupportedModifier(":" + Character.toString(operator));
        }
        String word = processUntilClosingBrace('}', pattern, "syntax error: missing '}'");
        String value = lookup(name);
        boolean set = value != null;
        boolean unsetOrNull = !set || (nullIsUnset && value.isEmpty());
        switch (operator) {
            case '-':
                return unsetOrNull ? word : value;
            case '+':
                return unsetOrNull ? "" : word;
            case '?':
                if (unsetOrNull) {
                    String message = !word.isEmpty() ? word : set ? "is not allowed to be empty" : "is not allowed to be unset";
                    throw new ShellExpansionException(name + ": " + message);
                }
                return value;
            case '#':
            case '%': {
                // Doubling the operator (## or %%) asks for the longest match.
                boolean longest = !word.isEmpty() && word.charAt(0) == operator;
                String p = longest ? word.substring(1) : word;
                String v = set ? value : "";
                return operator == '%' ? ShellPattern.trimSuffix(p, v, longest) : ShellPattern.trimPrefix(p, v, longest);
            }
            default:
                throw unsupportedModifier((nullIsUnset ? ":" : "") + (operator == EOF ? "" : Character.toString(operator)));
        }
    }

    /** <code>${name/pattern/replacement}</code> and <code>${name//pattern/replacement}</code>. */
    private String processReplace(String name) throws ShellExpansionException {
        boolean all = peek() == '/';
        if (all) {
            next();
        }
        String pattern = processUntilClosingBrace('/', true, "syntax error: missing '/' in ${}");
        String replacement = processUntilClosingBrace('}', true, "syntax error: missing '}'");
        String value = lookup(name);
        String v = value == null ? "" : value;
        return all ? ShellPattern.replaceAll(pattern, v, replacement) : ShellPattern.replaceFirst(pattern, v, replacement);
    }

    /** Reads a nested word up to {@code stop}; running out of input gets {@code missingMessage}. */
    private String processUntilClosingBrace(int stop, boolean raw, String missingMessage) throws ShellExpansionException {
        try {
            return processUntil(stop, raw).text();
        } catch (ShellExpansionException e) {
            if (peek() == EOF && !e.limitExceeded()) {
                throw new ShellExpansionException(missingMessage);
            }
            throw e;
        }
    }

    /**
     * A variable name: letters, digits and {@code _}; or, as the first character, a run of digits
     * (a positional parameter) or one special parameter. Neither kind is ever set in a
     * Dockerfile, but they are consumed so that {@code $1x} gives {@code x}.
     */
    private String processName() {
        StringBuilder name = new StringBuilder();
        while (peek() != EOF) {
            int c = peek();
            if (name.length() == 0 && Character.isDigit(c)) {
                while (peek() != EOF && Character.isDigit(peek())) {
                    name.appendCodePoint(next());
                }
                return name.toString();
            }
            if (name.length() == 0 && isSpecialParameter(c)) {
                return Character.toString(next());
            }
            if (!Character.isLetter(c) && !Character.isDigit(c) && c != '_') {
                break;
            }
            name.appendCodePoint(next());
        }
        return name.toString();
    }

    private static boolean isSpecialParameter(int c) {
        return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || c == '0';
    }

    /** The value of {@code name}, or null when unset; records the lookup either way. */
    private String lookup(String name) {
        String value = env.get(name);
        if (value == null && env.containsKey(name)) {
            value = "";
        }
        (value != null ? matched : unmatched).add(name);
        return value;
    }

    private static ShellExpansionException unsupportedModifier(String modifier) {
        return new ShellExpansionException("unsupported modifier (" + modifier + ") in substitution");
    }
}
