package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The line-level half of the parser, mirroring BuildKit's {@code parser.Parse}: directives at
 * the top, comments, escape-character continuations (with comment and blank lines inside a
 * continuation skipped), heredoc bodies, and one {@link Node} per instruction with its source
 * range. One instance parses one text.
 */
final class SyntaxParser {

    private static final Set<String> HEREDOC_KEYWORDS = Set.of("run", "copy", "add");
    private static final Pattern LEADING_TABS = Pattern.compile("^\t+", Pattern.MULTILINE | Pattern.UNIX_LINES);

    private final String fileName;
    private final int lineOffset;
    private final SourceLines lines;
    private final DirectiveScanner directives;
    private final List<Finding> findings = new ArrayList<>();
    /** The comments since the last instruction (an empty {@code #} line starts afresh), as BuildKit's PrevComment. */
    private final List<String> comments = new ArrayList<>();
    /** Start line → the {@code check=} value of the comments before that instruction. */
    private final Map<Integer, String> checkComments = new HashMap<>();
    /** Start line → the last comment before that instruction (BuildKit's PrevComment's last entry). */
    private final Map<Integer, String> lastComments = new HashMap<>();

    /**
     * @param lineOffset added to every line number (for text that starts in the middle of a file)
     * @param escape     the escape character before any directive
     * @param directivesAllowed false for text that is not a whole Dockerfile (ONBUILD triggers)
     */
    SyntaxParser(String text, String fileName, int lineOffset, char escape, boolean directivesAllowed) {
        this.fileName = fileName;
        this.lineOffset = lineOffset;
        this.lines = new SourceLines(text);
        this.directives = new DirectiveScanner(escape, directivesAllowed);
    }

    /**
     * The physical lines an error display shows: from the instruction's first line through the
     * caret's line (only the first without a caret).
     */
    List<String> sourceLines(Location location, Caret caret) {
        int first = location.startLine() - lineOffset;
        int last = caret == null ? first : Math.max(first, caret.line() - lineOffset);
        List<String> shown = new ArrayList<>();
        for (int line = first; line <= last; line++) {
            String text = lines.display(line);
            if (text == null) {
                break;
            }
            shown.add(text);
        }
        return shown;
    }

    SyntaxTree parse() throws DockerfileSyntaxException {
        List<Node> nodes = new ArrayList<>();
        while (lines.hasNext()) {
            String physical = GoText.trimNewline(lines.next());
            String first = GoText.trimLeftSpace(physical);
            int startLine = lines.consumed();
            int lead = physical.length() - first.length();
            boolean directive;
            try {
                directive = directives.accept(first);
            } catch (SyntaxProblem e) {
                throw error(e.getMessage(), startLine, startLine, caret(startLine, e.offset() < 0 ? -1 : lead + e.offset()));
            }
            if (isComment(first) && !directive) {
                String comment = first.substring(1).strip();
                if (comment.isEmpty()) {
                    comments.clear();
                } else {
                    comments.add(comment);
                }
            }
            Continuation head = Continuation.of(isComment(first) ? "" : first, directives.escape());
            if (!head.continues() && head.text().isEmpty()) {
                continue;
            }
            LineMap map = new LineMap();
            map.add(0, startLine + lineOffset, lead);
            String line = joinContinuation(head, startLine, map);
            LineParser.Parsed parsed;
            try {
                parsed = new LineParser(directives.escape()).parse(line);
            } catch (SyntaxProblem e) {
                throw error(e.getMessage(), startLine, lines.consumed(), map.at(e.offset()));
            }
            List<Heredoc> heredocs = canContainHeredoc(parsed) && line.contains("<<")
                    ? readHeredocs(line, startLine, map)
                    : List.of();
            Location location = location(startLine, lines.consumed());
            nodes.add(toNode(parsed, heredocs, location, map, line));
            comments.stream().map(DirectiveScanner::checkComment).filter(Objects::nonNull).findFirst()
                    .ifPresent(check -> checkComments.put(location.startLine(), check));
            if (!comments.isEmpty()) {
                lastComments.put(location.startLine(), comments.get(comments.size() - 1));
            }
            comments.clear();
        }
        if (nodes.isEmpty()) {
            int last = Math.max(1, lines.count());
            throw error("file with no instructions", last, last, null);
        }
        return new SyntaxTree(fileName, directives.directives(), directives.escape(), nodes, findings, checkComments,
                lastComments);
    }

    /**
     * Reads continuation lines after {@code head}; comment lines and blank lines in between are
     * skipped. Each piece joined is added to {@code map}, so offsets in the joined line can be shown
     * on the physical line they came from.
     */
    private String joinContinuation(Continuation head, int startLine, LineMap map) {
        StringBuilder line = new StringBuilder(head.text());
        boolean continues = head.continues();
        boolean empty = false;
        while (continues && lines.hasNext()) {
            String next = GoText.trimNewline(lines.next());
            if (isComment(next)) {
                continue;
            }
            if (GoText.trimLeftSpace(next).isEmpty()) {
                empty = true;
                continue;
            }
            Continuation part = Continuation.of(next, directives.escape());
            map.add(line.length(), lines.consumed() + lineOffset, 0);
            line.append(part.text());
            continues = part.continues();
        }
        if (empty) {
            // BuildKit reports the instruction's last line (where its parser is when it notices), once.
            int end = lines.consumed();
            findings.add(CheckRule.NO_EMPTY_CONTINUATION.at(location(end, end), CheckRule.noEmptyContinuation()));
        }
        return line.toString();
    }

    private List<Heredoc> readHeredocs(String line, int startLine, LineMap map) throws DockerfileSyntaxException {
        List<HeredocMarker.Placed> markers;
        try {
            markers = HeredocMarker.inLine(line);
        } catch (SyntaxProblem e) {
            throw error(e.getMessage(), startLine, lines.consumed(), map.at(e.offset()));
        }
        List<Heredoc> heredocs = new ArrayList<>(markers.size());
        for (HeredocMarker.Placed placed : markers) {
            HeredocMarker marker = placed.marker();
            StringBuilder body = new StringBuilder();
            boolean terminated = false;
            while (lines.hasNext()) {
                String raw = lines.next();
                String candidate = GoText.trimNewline(raw);
                if (marker.chomp()) {
                    candidate = stripLeadingTabs(candidate);
                }
                if (candidate.equals(marker.name())) {
                    terminated = true;
                    break;
                }
                body.append(raw);
            }
            if (!terminated) {
                // at the marker whose delimiter never came: with several, the one the body ran past
                throw error("unterminated heredoc", startLine, lines.consumed(), map.at(placed.offset()));
            }
            String content = marker.chomp() ? LEADING_TABS.matcher(body).replaceAll("") : body.toString();
            heredocs.add(new Heredoc(marker.name(), content, marker.expand(), marker.chomp()));
        }
        return heredocs;
    }

    private static String stripLeadingTabs(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '\t') {
            i++;
        }
        return s.substring(i);
    }

    /** RUN, COPY and ADD in shell form, also as an ONBUILD trigger, may carry heredocs. */
    private static boolean canContainHeredoc(LineParser.Parsed parsed) {
        LineParser.Parsed target = parsed;
        if (parsed.keyword().equals("onbuild") && parsed.child() != null) {
            target = parsed.child();
        }
        return HEREDOC_KEYWORDS.contains(target.keyword()) && !target.json();
    }

    /** @param line the instruction's joined line, which all offsets of {@code parsed} (and its trigger's) are in */
    private static Node toNode(LineParser.Parsed parsed, List<Heredoc> heredocs, Location location, LineMap map,
            String line) {
        Node child = parsed.child() == null ? null : toNode(parsed.child(), heredocs, location, map, line);
        SourcePositions positions = new SourcePositions(map, line, parsed.keywordOffset(),
                parsed.flagOffsets(), parsed.rawFlags(), parsed.flags(), parsed.argOffsets(), !parsed.json());
        return new Node(parsed.keyword(), parsed.flags(), parsed.args(), parsed.json(), heredocs,
                parsed.original(), child, location, positions);
    }

    private static boolean isComment(String line) {
        return GoText.trimLeftSpace(line).startsWith("#");
    }

    private Location location(int start, int end) {
        return new Location(fileName, start + lineOffset, end + lineOffset);
    }

    /** A caret at {@code column} of a line of this text (1-based, without offset); null for a negative column. */
    private Caret caret(int line, int column) {
        return column < 0 ? null : new Caret(line + lineOffset, column);
    }

    private DockerfileSyntaxException error(String message, int start, int end, Caret caret) {
        Location location = location(start, Math.max(start, end));
        return new DockerfileSyntaxException(location, message, sourceLines(location, caret), caret);
    }

    /**
     * A physical line with a trailing escape character (followed only by blanks) removed. An
     * escape preceded by another escape is a literal one and does not continue the line.
     */
    record Continuation(String text, boolean continues) {

        static Continuation of(String line, char escape) {
            int end = line.length();
            while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
                end--;
            }
            if (end == 0 || line.charAt(end - 1) != escape) {
                return new Continuation(line, false);
            }
            int escapeAt = end - 1;
            if (escapeAt > 0 && line.charAt(escapeAt - 1) == escape) {
                return new Continuation(line, false);
            }
            return new Continuation(line.substring(0, escapeAt), true);
        }
    }
}
