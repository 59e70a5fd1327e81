package dev.jbuild.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * A parsed Dockerfile.
 *
 * @param fileName      display name used in errors ({@code Dockerfile}, {@code app.Dockerfile})
 * @param directives    parser directives found at the top, keys lower case ({@code syntax}, {@code escape}, {@code check})
 * @param escape        the escape character in force: {@code \} or {@code `}
 * @param nodes         the raw instruction nodes, in order (what {@code jbuild parse} prints)
 * @param instructions  the typed instructions, one per node, in the same order
 * @param findings      the build checks' findings about the whole file (casing, stage names, ...) and, for
 *                      the rules BuildKit runs per dispatched stage, about every stage; not yet filtered by
 *                      the {@code check} options ({@link CheckConfig}), which the plan applies
 * @param checkComments start line of an instruction → the value of a {@code # check=} comment just
 *                      before it, which adds to the options for that instruction (BuildKit's PrevComment)
 */
public record Dockerfile(
        String fileName,
        Map<String, String> directives,
        char escape,
        List<Node> nodes,
        List<Instruction> instructions,
        List<Finding> findings,
        Map<Integer, String> checkComments) {

    public Dockerfile {
        directives = Map.copyOf(directives);
        nodes = List.copyOf(nodes);
        instructions = List.copyOf(instructions);
        findings = List.copyOf(findings);
        checkComments = Map.copyOf(checkComments);
    }

    /** The findings as {@code Dockerfile:3: Rule: message} lines. */
    public List<String> warnings() {
        return findings.stream().map(Finding::toString).toList();
    }

    /**
     * Where a failure of the instruction at {@code location} is written, when the failure is a word
     * that could not be expanded ({@link ShellExpansionException} in its causes): the {@code $} of
     * the substitution or the unclosed quote, where the word stands in the instruction. Null when
     * the failure is of another kind or the word is not written in the instruction as it was
     * expanded (a heredoc body, a flag value with quotes).
     */
    public Caret caretFor(Location location, Throwable failure) {
        ShellExpansionException expansion = null;
        for (Throwable t = failure; t != null && expansion == null; t = t.getCause()) {
            if (t instanceof ShellExpansionException e) {
                expansion = e;
            }
        }
        if (expansion == null || expansion.word() == null || expansion.offset() < 0) {
            return null;
        }
        for (Node node : nodes) {
            if (node.location().equals(location)) {
                return node.positions().inText(expansion.word(), expansion.offset());
            }
        }
        return null;
    }
}
