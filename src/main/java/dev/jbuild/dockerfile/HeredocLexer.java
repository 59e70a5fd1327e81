package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of BuildKit's shell lexer that the parser uses to find heredoc markers: it splits a
 * line into words with no variables defined and unknown variables left as written, optionally
 * keeping quotes and escapes in the words. Expansion proper belongs to {@link ShellWords}; this
 * copy exists because heredoc detection must see the line exactly as BuildKit's lexer does
 * (for example, {@code << EOF} is one word and {@code '<<EOF'} is not a marker).
 */
final class HeredocLexer {

    private static final int EOF = -1;
    private static final char ESCAPE = '\\';

    private final boolean rawQuotes;
    private boolean rawEscapes;
    private final int[] chars;
    private int pos;
    private int depth;

    private HeredocLexer(String text, boolean rawQuotes, boolean rawEscapes) {
        this.chars = text.codePoints().toArray();
        this.rawQuotes = rawQuotes;
        this.rawEscapes = rawEscapes;
    }

    /** Splits {@code text} into words; errors are the lexer's (unterminated quote, bad {@code ${}}). */
    static List<String> words(String text, boolean rawQuotes, boolean rawEscapes) throws SyntaxProblem {
        HeredocLexer lexer = new HeredocLexer(text, rawQuotes, rawEscapes);
        try {
            return lexer.processStopOn(EOF, rawEscapes).words();
        } catch (SyntaxProblem e) {
            throw new SyntaxProblem("failed to process " + GoText.quote(text) + ": " + e.getMessage());
        }
    }

    private record Processed(String result, List<String> words) {}

    /** Word accumulation with the same quirks as BuildKit's {@code wordsStruct}. */
    private static final class Words {
        private final StringBuilder word = new StringBuilder();
        private final List<String> words = new ArrayList<>();
        private boolean inWord;

        void addChar(int ch) {
            if (GoText.isSpace(ch) && inWord) {
                if (word.length() != 0) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (!GoText.isSpace(ch)) {
                addRawChar(ch);
            }
        }

        void addRawChar(int ch) {
            word.appendCodePoint(ch);
            inWord = true;
        }

        void addString(String s) {
            s.codePoints().forEach(this::addChar);
        }

        void addRawString(String s) {
            word.append(s);
            inWord = true;
        }

        List<String> finish() {
            if (word.length() > 0) {
                words.add(word.toString());
                word.setLength(0);
                inWord = false;
            }
            return words;
        }
    }

    private int peek() {
        return pos < chars.length ? chars[pos] : EOF;
    }

    private int next() {
        return pos < chars.length ? chars[pos++] : EOF;
    }

    private Processed processStopOn(int stopChar, boolean escapesRaw) throws SyntaxProblem {
        boolean saved = rawEscapes;
        rawEscapes = escapesRaw;
        try {
            StringBuilder result = new StringBuilder();
            Words words = new Words();
            while (peek() != EOF) {
                int ch = peek();
                if (stopChar != EOF && ch == stopChar) {
                    next();
                    return new Processed(result.toString(), words.finish());
                }
                if (ch == '$') {
                    String tmp = processDollar();
                    result.append(tmp);
                    words.addString(tmp);
                } else if (ch == '<') {
                    String tmp = processPossibleHeredoc();
                    result.append(tmp);
                    words.addRawString(tmp);
                } else if (ch == '\'' || ch == '"') {
                    String tmp = ch == '\'' ? processSingleQuote() : processDoubleQuote();
                    result.append(tmp);
                    words.addRawString(tmp);
                } else {
                    ch = next();
                    if (ch == ESCAPE) {
                        if (rawEscapes) {
                            words.addRawChar(ch);
                            result.appendCodePoint(ch);
                        }
                        ch = next();
                        if (ch == EOF) {
                            break;
                        }
                        words.addRawChar(ch);
                    } else {
                        words.addChar(ch);
                    }
                    result.appendCodePoint(ch);
                }
            }
            if (stopChar != EOF) {
                throw new SyntaxProblem("unexpected end of statement while looking for matching "
                        + new String(Character.toChars(stopChar)));
            }
            return new Processed(result.toString(), words.finish());
        } finally {
            rawEscapes = saved;
        }
    }

    private String processSingleQuote() throws SyntaxProblem {
        StringBuilder result = new StringBuilder();
        int ch = next();
        if (rawQuotes) {
            result.appendCodePoint(ch);
        }
        while (true) {
            ch = next();
            if (ch == EOF) {
                throw new SyntaxProblem("unexpected end of statement while looking for matching single-quote");
            }
            if (ch == '\'') {
                if (rawQuotes) {
                    result.appendCodePoint(ch);
                }
                return result.toString();
            }
            result.appendCodePoint(ch);
        }
    }

    private String processDoubleQuote() throws SyntaxProblem {
        StringBuilder result = new StringBuilder();
        int ch = next();
        if (rawQuotes) {
            result.appendCodePoint(ch);
        }
        while (true) {
            int p = peek();
            if (p == EOF) {
                throw new SyntaxProblem("unexpected end of statement while looking for matching double-quote");
            }
            if (p == '"') {
                ch = next();
                if (rawQuotes) {
                    result.appendCodePoint(ch);
                }
                return result.toString();
            }
            if (p == '$') {
                result.append(processDollar());
                continue;
            }
            ch = next();
            if (ch == ESCAPE) {
                if (rawEscapes) {
                    result.appendCodePoint(ch);
                }
                int after = peek();
                if (after == EOF) {
                    continue;
                }
                if (after == '"' || after == '$' || after == ESCAPE) {
                    ch = next();
                }
            }
            result.appendCodePoint(ch);
        }
    }

    /** With no variables defined every reference survives as text, which is what heredoc names need. */
    private String processDollar() throws SyntaxProblem {
        if (++depth > ShellWords.MAX_SUBSTITUTION_DEPTH) {
            throw new SyntaxProblem(ShellWords.TOO_DEEP);
        }
        try {
            return dollar();
        } finally {
            depth--;
        }
    }

    private String dollar() throws SyntaxProblem {
        next();
        if (peek() != '{') {
            String name = processName();
            return "$" + name;
        }
        next();
        int lead = peek();
        if (lead == EOF) {
            throw new SyntaxProblem("syntax error: missing '}'");
        }
        if (lead == '{' || lead == '}' || lead == ':') {
            throw new SyntaxProblem("syntax error: bad substitution");
        }
        String name = processName();
        int ch = next();
        StringBuilder modifier = new StringBuilder();
        appendRune(modifier, ch);
        if (ch == '}') {
            return "${" + name + "}";
        }
        boolean nullIsUnset = false;
        if (ch == ':') {
            nullIsUnset = true;
            ch = next();
            appendRune(modifier, ch);
        }
        // after ':' BuildKit falls into the modifier branch whatever the next character is
        if (nullIsUnset || ch == '+' || ch == '-' || ch == '?' || ch == '#' || ch == '%') {
            boolean patternEscapes = ch == '#' || ch == '%';
            if (nullIsUnset && patternEscapes) {
                throw new SyntaxProblem("unsupported modifier (" + modifier + ") in substitution");
            }
            String word = stopOnOrMissing('}', patternEscapes, "syntax error: missing '}'");
            return "${" + name + modifier + word + "}";
        }
        if (ch == '/') {
            if (peek() == '/') {
                next();
            }
            String pattern = stopOnOrMissing('/', true, "syntax error: missing '/' in ${}");
            String replacement = stopOnOrMissing('}', true, "syntax error: missing '}'");
            return "${" + name + "/" + pattern + "/" + replacement + "}";
        }
        throw new SyntaxProblem("unsupported modifier (" + modifier + ") in substitution");
    }

    private String stopOnOrMissing(int stop, boolean escapesRaw, String missing) throws SyntaxProblem {
        try {
            return processStopOn(stop, escapesRaw).result();
        } catch (SyntaxProblem e) {
            if (peek() == EOF) {
                throw new SyntaxProblem(missing);
            }
            throw e;
        }
    }

    private static void appendRune(StringBuilder out, int ch) {
        out.appendCodePoint(ch == EOF ? 0xFFFD : ch);
    }

    private String processPossibleHeredoc() {
        next();
        if (peek() != '<') {
            return "<";
        }
        next();
        StringBuilder marker = new StringBuilder("<<");
        while (peek() == ' ' || peek() == '\t' || peek() == '\r') {
            marker.appendCodePoint(next());
        }
        return marker.toString();
    }

    private String processName() {
        StringBuilder name = new StringBuilder();
        while (peek() != EOF) {
            int ch = peek();
            if (name.length() == 0 && Character.isDigit(ch)) {
                while (peek() != EOF && Character.isDigit(peek())) {
                    name.appendCodePoint(next());
                }
                return name.toString();
            }
            if (name.length() == 0 && isSpecialParam(ch)) {
                name.appendCodePoint(next());
                return name.toString();
            }
            if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
                break;
            }
            name.appendCodePoint(next());
        }
        return name.toString();
    }

    private static boolean isSpecialParam(int ch) {
        return switch (ch) {
            case '@', '*', '#', '?', '-', '$', '!', '0' -> true;
            default -> false;
        };
    }
}
