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
     * @param keywordOffset    where the keyword starts in the line given to {@link #parse}; the
     *                         other offsets are in that line too, also for the child
     * @param argOffsets       where each argument starts, -1 for a separator that was not written
     */
    record Parsed(String keywordAsWritten, List<String> flags, List<String> args, boolean json,
                  Parsed child, String original, int keywordOffset, List<Integer> flagOffsets,
                  List<String> rawFlags, List<Integer> argOffsets) {

        String keyword() {
            return keywordAsWritten.toLowerCase(Locale.ROOT);
        }
    }

    /** Arguments, their offsets in the instruction's line, whether they were JSON, and ONBUILD's trigger. */
    private record Args(List<String> args, List<Integer> offsets, boolean json, Parsed child) {
        static final Args NONE = new Args(List.of(), List.of(), false, null);

        static Args of(List<String> args, List<Integer> offsets) {
            return new Args(args, offsets, false, null);
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
        return parse(line, 0, 0);
    }

    /** @param base where {@code line} starts in the instruction's whole line (ONBUILD's trigger is a part of it) */
    private Parsed parse(String line, int depth, int base) throws SyntaxProblem {
        CommandSplitter.Split split = CommandSplitter.split(line);
        if (depth > MAX_ONBUILD_DEPTH) {
            throw new SyntaxProblem("ONBUILD nested more than " + MAX_ONBUILD_DEPTH + " levels deep",
                    base + split.keywordOffset());
        }
        String rest = split.rest();
        int at = base + split.restOffset();
        Args args = switch (split.keyword().toLowerCase(Locale.ROOT)) {
            case "add", "copy", "volume" -> maybeJsonToList(rest, at);
            case "arg" -> wordsAt(rest, at);
            case "cmd", "entrypoint", "run", "shell" -> maybeJson(rest, at);
            case "env" -> nameValue(rest, at, "ENV");
            case "label" -> nameValue(rest, at, "LABEL");
            case "expose", "from" -> blankDelimited(rest, at);
            case "healthcheck" -> healthcheck(rest, at);
            case "maintainer", "stopsignal", "user", "workdir" -> rest.isEmpty() ? Args.NONE : Args.of(List.of(rest), List.of(at));
            case "onbuild" -> rest.isEmpty() ? Args.NONE
                    : new Args(List.of(), List.of(), false, parse(rest, depth + 1, at));
            default -> Args.NONE;
        };
        List<Integer> flagOffsets = split.flagOffsets().stream().map(o -> o + base).toList();
        return new Parsed(split.keyword(), split.flags(), args.args(), args.json(), args.child(), line,
                base + split.keywordOffset(), flagOffsets, split.rawFlags(), args.offsets());
    }

    private static Args maybeJson(String rest, int at) throws SyntaxProblem {
        if (rest.isEmpty()) {
            return Args.NONE;
        }
        JsonArgs.Array json = json(rest, at);
        if (json != null) {
            return new Args(json.strings(), json.offsets(), true, null);
        }
        return Args.of(List.of(rest), List.of(at));
    }

    private static Args maybeJsonToList(String rest, int at) throws SyntaxProblem {
        JsonArgs.Array json = json(rest, at);
        if (json != null) {
            return new Args(json.strings(), json.offsets(), true, null);
        }
        return blankDelimited(rest, at);
    }

    /** JSON form with its offsets moved into the instruction's line. */
    private static JsonArgs.Array json(String rest, int at) throws SyntaxProblem {
        JsonArgs.Array json;
        try {
            json = JsonArgs.parse(rest);
        } catch (SyntaxProblem e) {
            throw e.shifted(at);
        }
        return json == null ? null : new JsonArgs.Array(json.strings(), json.offsets().stream().map(o -> o + at).toList());
    }

    private static Args blankDelimited(String rest, int at) {
        List<String> words = rest.isEmpty() ? List.of() : GoText.splitTokenBlanks(rest, -1);
        return Args.of(words, offsets(rest, words, at));
    }

    private Args wordsAt(String rest, int at) {
        List<String> words = words(rest);
        return Args.of(words, offsets(rest, words, at));
    }

    /**
     * Where each of {@code words} starts: they are pieces of {@code rest} in order (the splitters
     * keep quotes and escapes, so each word is written as it is), so each is found after the last.
     */
    private static List<Integer> offsets(String rest, List<String> words, int at) {
        List<Integer> offsets = new ArrayList<>(words.size());
        int from = 0;
        for (String word : words) {
            int found = rest.indexOf(word, from);
            offsets.add(found < 0 ? -1 : at + found);
            if (found >= 0) {
                from = found + word.length();
            }
        }
        return offsets;
    }

    /** HEALTHCHECK's first word is its type (CMD, NONE, ...); the remainder is JSON or shell form. */
    private static Args healthcheck(String rest, int at) throws SyntaxProblem {
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
        Args command = maybeJson(rest.substring(next), at + next);
        List<String> args = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        args.add(rest.substring(0, sep));
        offsets.add(at);
        args.addAll(command.args());
        offsets.addAll(command.offsets());
        return new Args(args, offsets, command.json(), null);
    }

    /**
     * ENV and LABEL: {@code KEY value...} (one pair, separator "") when the first word has no
     * {@code =}, otherwise a list of {@code key=value} words (separator "="). Values keep their
     * quotes and escapes; they are resolved when the instruction is expanded.
     */
    private Args nameValue(String rest, int at, String instruction) throws SyntaxProblem {
        List<String> words = words(rest);
        if (words.isEmpty()) {
            return Args.NONE;
        }
        List<Integer> starts = offsets(rest, words, at);
        if (!words.get(0).contains("=")) {
            List<String> parts = GoText.splitTokenBlanks(rest, 2);
            if (parts.size() < 2) {
                throw new SyntaxProblem(instruction + " must have two arguments", at);
            }
            int value = at + rest.length() - parts.get(1).length();
            return Args.of(List.of(parts.get(0), parts.get(1), ""), List.of(at, value, -1));
        }
        List<String> triples = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            int start = starts.get(i);
            int eq = word.indexOf('=');
            if (eq < 0) {
                throw new SyntaxProblem("syntax error - can't find = in " + GoText.quote(word)
                        + ". Must be of the form: name=value", start);
            }
            triples.add(word.substring(0, eq));
            triples.add(word.substring(eq + 1));
            triples.add("=");
            offsets.add(start);
            offsets.add(start < 0 ? -1 : start + eq + 1);
            offsets.add(start < 0 ? -1 : start + eq);
        }
        return Args.of(triples, offsets);
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
