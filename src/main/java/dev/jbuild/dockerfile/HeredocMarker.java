package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code <<WORD} marker on an instruction line: the delimiter name, whether the body is
 * expanded (no part of the word was quoted) and whether leading tabs are stripped ({@code <<-}).
 */
record HeredocMarker(String name, boolean expand, boolean chomp) {

    private static final Pattern MARKER = Pattern.compile("([0-9]*)<<(-?)[\\t\\n\\f\\r ]*([^<]*)", Pattern.DOTALL);

    /**
     * @return the marker, or null when {@code word} is not one
     * @throws SyntaxProblem when the delimiter word cannot be lexed (an unmatched quote)
     */
    static HeredocMarker parse(String word) throws SyntaxProblem {
        Matcher m = MARKER.matcher(word);
        if (!m.matches()) {
            return null;
        }
        boolean chomp = m.group(2).equals("-");
        String rest = m.group(3);
        if (rest.isEmpty()) {
            return null;
        }
        List<String> words = HeredocLexer.words(rest, false, false);
        if (words.size() != 1) {
            return null;
        }
        List<String> raw = HeredocLexer.words(rest, true, false);
        if (raw.size() != words.size()) {
            throw new SyntaxProblem("internal lexing of heredoc produced inconsistent results: " + rest);
        }
        // a quote that did its job appears only in the raw word; escaped quotes appear in both
        boolean expand = quotes(words.get(0)) == quotes(raw.get(0));
        return new HeredocMarker(words.get(0), expand, chomp);
    }

    /** Like {@link #parse} but a word that cannot be lexed is simply not a marker. */
    static HeredocMarker parseQuietly(String word) {
        try {
            return parse(word);
        } catch (SyntaxProblem e) {
            return null;
        }
    }

    /** A marker and where its word starts in the instruction line (-1 when the word is not found as written). */
    record Placed(HeredocMarker marker, int offset) {}

    /** Markers in an instruction line, in order; words are split as BuildKit's lexer splits them. */
    static List<Placed> inLine(String line) throws SyntaxProblem {
        List<String> words;
        try {
            words = HeredocLexer.words(line, true, true);
        } catch (SyntaxProblem e) {
            // BuildKit ignores a line its lexer cannot split: such a line has no heredocs
            return List.of();
        }
        List<Placed> markers = new ArrayList<>();
        int from = 0;
        for (String word : words) {
            // the lexer's words are the line's text, except where it resolved a quote or an escape
            int at = line.indexOf(word, from);
            if (at >= 0) {
                from = at + word.length();
            }
            HeredocMarker marker;
            try {
                marker = parse(word);
            } catch (SyntaxProblem e) {
                throw new SyntaxProblem(e.getMessage(), at);
            }
            if (marker != null) {
                markers.add(new Placed(marker, at >= 0 ? at : line.indexOf("<<", from)));
            }
        }
        return markers;
    }

    private static long quotes(String s) {
        return s.chars().filter(c -> c == '\'' || c == '"').count();
    }
}
