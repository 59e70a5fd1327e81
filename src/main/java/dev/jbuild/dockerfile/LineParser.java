package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns one logical line (continuations already joined) into keyword, flags and arguments, with
 * the per-instruction argument rules of BuildKit's parser: JSON-or-shell for RUN/CMD/ENTRYPOINT/
 * SHELL, JSON-or-words for ADD/COPY/VOLUME, words for FROM/EXPOSE, key/value triples for ENV and
 * LABEL, and so on. No instruction is validated here; unknown keywords get no arguments.
 */
final class LineParser {

    /**
     * @param keywordAsWritten the keyword with its original case, for messages
     * @param child            the trigger of ONBUILD, otherwise null
     */
    record Parsed(String keywordAsWritten, List<String> flags, List<String> args, boolean json,
                  Parsed child, String original) {

        String keyword() {
            return keywordAsWritten.toLowerCase(Locale.ROOT);
        }
    }

    private record Args(List<String> args, boolean json, Parsed child) {
        static final Args NONE = new Args(List.of(), false, null);

        static Args of(List<String> args) {
            return new Args(args, false, null);
        }
    }

    /**
     * BuildKit nests ONBUILD to any depth here and rejects {@code ONBUILD ONBUILD} later; a cap
     * keeps absurd chains from exhausting the stack. Real Dockerfiles never go past one level.
     */
    static final int MAX_ONBUILD_DEPTH = 100;

    private final char escape;

    LineParser(char escape) {
        this.escape = escape;
    }

    Parsed parse(String line) throws SyntaxProblem {
        return parse(line, 0);
    }

    private Parsed parse(String line, int depth) throws SyntaxProblem {
        if (depth > MAX_ONBUILD_DEPTH) {
            throw new SyntaxProblem("ONBUILD nested more than " + MAX_ONBUILD_DEPTH + " levels deep");
        }
        CommandSplitter.Split split = CommandSplitter.split(line);
        String rest = split.rest();
        Args args = switch (split.keyword().toLowerCase(Locale.ROOT)) {
            case "add", "copy", "volume" -> maybeJsonToList(rest);
            case "arg" -> Args.of(words(rest));
            case "cmd", "entrypoint", "run", "shell" -> maybeJson(rest);
            case "env" -> nameValue(rest, "ENV");
            case "label" -> nameValue(rest, "LABEL");
            case "expose", "from" -> Args.of(blankDelimited(rest));
            case "healthcheck" -> healthcheck(rest);
            case "maintainer", "stopsignal", "user", "workdir" -> rest.isEmpty() ? Args.NONE : Args.of(List.of(rest));
            case "onbuild" -> rest.isEmpty() ? Args.NONE : new Args(List.of(), false, parse(rest, depth + 1));
            default -> Args.NONE;
        };
        return new Parsed(split.keyword(), split.flags(), args.args(), args.json(), args.child(), line);
    }

    private static Args maybeJson(String rest) throws SyntaxProblem {
        if (rest.isEmpty()) {
            return Args.NONE;
        }
        List<String> json = JsonArgs.parse(rest);
        if (json != null) {
            return new Args(json, true, null);
        }
        return Args.of(List.of(rest));
    }

    private static Args maybeJsonToList(String rest) throws SyntaxProblem {
        List<String> json = JsonArgs.parse(rest);
        if (json != null) {
            return new Args(json, true, null);
        }
        return Args.of(blankDelimited(rest));
    }

    private static List<String> blankDelimited(String rest) {
        return rest.isEmpty() ? List.of() : GoText.splitTokenBlanks(rest, -1);
    }

    /** HEALTHCHECK's first word is its type (CMD, NONE, ...); the remainder is JSON or shell form. */
    private static Args healthcheck(String rest) throws SyntaxProblem {
        int sep = 0;
        while (sep < rest.length() && !GoText.isSpace(rest.charAt(sep))) {
            sep++;
        }
        if (sep == 0) {
            return Args.NONE;
        }
        int next = sep;
        while (next < rest.length() && GoText.isSpace(rest.charAt(next))) {
            next++;
        }
        Args command = maybeJson(rest.substring(next));
        List<String> args = new ArrayList<>();
        args.add(rest.substring(0, sep));
        args.addAll(command.args());
        return new Args(args, command.json(), null);
    }

    /**
     * ENV and LABEL: {@code KEY value...} (one pair, separator "") when the first word has no
     * {@code =}, otherwise a list of {@code key=value} words (separator "="). Values keep their
     * quotes and escapes; they are resolved when the instruction is expanded.
     */
    private Args nameValue(String rest, String instruction) throws SyntaxProblem {
        List<String> words = words(rest);
        if (words.isEmpty()) {
            return Args.NONE;
        }
        if (!words.get(0).contains("=")) {
            List<String> parts = GoText.splitTokenBlanks(rest, 2);
            if (parts.size() < 2) {
                throw new SyntaxProblem(instruction + " must have two arguments");
            }
            return Args.of(List.of(parts.get(0), parts.get(1), ""));
        }
        List<String> triples = new ArrayList<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq < 0) {
                throw new SyntaxProblem("syntax error - can't find = in " + GoText.quote(word)
                        + ". Must be of the form: name=value");
            }
            triples.add(word.substring(0, eq));
            triples.add(word.substring(eq + 1));
            triples.add("=");
        }
        return Args.of(triples);
    }

    private enum Phase { SPACES, WORD, QUOTE }

    /**
     * Splits at unquoted blanks, keeping quotes and escape characters in the words (they are
     * removed later, by expansion). An escape character at the very end is dropped.
     */
    List<String> words(String rest) {
        List<String> words = new ArrayList<>();
        Phase phase = Phase.SPACES;
        int quote = 0;
        boolean blankOk = false;
        StringBuilder word = new StringBuilder();
        int n = rest.length();
        int pos = 0;
        while (pos <= n) {
            int ch = pos < n ? rest.codePointAt(pos) : -1;
            int width = ch < 0 ? 1 : Character.charCount(ch);
            if (phase == Phase.SPACES) {
                if (pos == n) {
                    break;
                }
                if (GoText.isSpace(ch)) {
                    pos += width;
                    continue;
                }
                phase = Phase.WORD;
            }
            if (pos == n) {
                if (blankOk || word.length() > 0) {
                    words.add(word.toString());
                }
                break;
            }
            if (phase == Phase.WORD) {
                if (GoText.isSpace(ch)) {
                    phase = Phase.SPACES;
                    if (blankOk || word.length() > 0) {
                        words.add(word.toString());
                    }
                    word.setLength(0);
                    blankOk = false;
                    pos += width;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    phase = Phase.QUOTE;
                }
                if (ch == escape) {
                    if (pos + width == n) {
                        pos += width;
                        continue;
                    }
                    word.appendCodePoint(ch);
                    pos += width;
                    ch = rest.codePointAt(pos);
                    width = Character.charCount(ch);
                }
                word.appendCodePoint(ch);
                pos += width;
                continue;
            }
            // inside quotes
            if (ch == quote) {
                phase = Phase.WORD;
            }
            if (ch == escape && quote != '\'') {
                if (pos + width == n) {
                    phase = Phase.WORD;
                    pos += width;
                    continue;
                }
                word.appendCodePoint(ch);
                pos += width;
                ch = rest.codePointAt(pos);
                width = Character.charCount(ch);
            }
            word.appendCodePoint(ch);
            pos += width;
        }
        return words;
    }
}
