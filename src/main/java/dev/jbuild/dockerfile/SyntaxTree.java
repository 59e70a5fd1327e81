package dev.jbuild.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * A Dockerfile parsed to the level of BuildKit's parser only: instructions split into keyword,
 * flags and arguments, but not checked (unknown keywords, unknown flags and wrong argument
 * counts are accepted). This is what BuildKit's parser test files describe; most callers want
 * {@link DockerfileParser#parse}, which also checks every instruction.
 *
 * @param fileName   display name used in errors
 * @param directives parser directives found at the top, keys lower case
 * @param escape     the escape character in force
 * @param nodes      the instruction nodes, in order
 * @param findings   what the parser's build check (NoEmptyContinuation) found
 * @param checkComments start line of an instruction → the value of a {@code # check=} comment just before it
 * @param lastComments start line of an instruction → the last comment before it (its description for
 *                     {@code --call=outline}, judged by InvalidDefinitionDescription)
 */
public record SyntaxTree(
        String fileName,
        Map<String, String> directives,
        char escape,
        List<Node> nodes,
        List<Finding> findings,
        Map<Integer, String> checkComments,
        Map<Integer, String> lastComments) {

    public SyntaxTree {
        directives = Map.copyOf(directives);
        nodes = List.copyOf(nodes);
        findings = List.copyOf(findings);
        checkComments = Map.copyOf(checkComments);
        lastComments = Map.copyOf(lastComments);
    }

    /** The findings as {@code Dockerfile:3: Rule: message} lines. */
    public List<String> warnings() {
        return findings.stream().map(Finding::toString).toList();
    }
}
