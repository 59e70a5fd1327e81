package dev.jbuild.dockerfile;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises parser directives ({@code # syntax=...}, {@code # escape=...}, {@code # check=...}).
 * They are only honoured in the leading run of lines that are themselves directives: the first
 * line that is anything else (an instruction, a blank line, an ordinary comment, or a comment
 * naming an unknown directive) ends the region for good, as in BuildKit.
 */
final class DirectiveScanner {

    /** Go's {@code \s} is ASCII-only and, unlike Java's, excludes vertical tab. */
    private static final Pattern DIRECTIVE =
            Pattern.compile("^([a-zA-Z][a-zA-Z0-9]*)[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*(.+?)[\\t\\n\\f\\r ]*$",
                    Pattern.DOTALL);

    private static final Set<String> KNOWN = Set.of("syntax", "escape", "check");

    private final Map<String, String> found = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();
    private boolean done;
    private char escape;

    /**
     * The value of a {@code check=...} comment before an instruction (its text after {@code #}, trimmed),
     * or null for any other comment: BuildKit reads such comments with its directive parser.
     */
    static String checkComment(String comment) {
        Matcher m = DIRECTIVE.matcher(comment);
        return m.matches() && m.group(1).toLowerCase(Locale.ROOT).equals("check") ? m.group(2) : null;
    }

    DirectiveScanner(char escape, boolean enabled) {
        this.escape = escape;
        this.done = !enabled;
    }

    /**
     * Looks at one physical line (newline and leading blanks already removed).
     *
     * @throws SyntaxProblem for a repeated or invalid directive, at its offset in {@code line}
     * @return true when the line was a directive
     */
    boolean accept(String line) throws SyntaxProblem {
        if (done) {
            return false;
        }
        if (!line.startsWith("#")) {
            done = true;
            return false;
        }
        String body = GoText.trimLeftSpace(line.substring(1));
        int bodyOffset = line.length() - body.length();
        Matcher m = DIRECTIVE.matcher(body);
        if (!m.matches()) {
            done = true;
            return false;
        }
        String key = m.group(1).toLowerCase(Locale.ROOT);
        if (!KNOWN.contains(key)) {
            done = true;
            return false;
        }
        if (!seen.add(key)) {
            throw new SyntaxProblem("only one " + key + " parser directive can be used", bodyOffset + m.start(1));
        }
        String value = m.group(2);
        if (key.equals("escape")) {
            if (!value.equals("`") && !value.equals("\\")) {
                throw new SyntaxProblem("invalid escape token '" + value + "' does not match ` or \\",
                        bodyOffset + m.start(2));
            }
            escape = value.charAt(0);
        }
        found.put(key, value);
        return true;
    }

    char escape() {
        return escape;
    }

    Map<String, String> directives() {
        return found;
    }
}
