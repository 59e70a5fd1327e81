package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The frontend's entry point: Dockerfile text in, {@link Dockerfile} out. Directives, comments,
 * continuations, heredocs, JSON vs shell form and instruction flags follow BuildKit's parser.
 */
public final class DockerfileParser {

    private DockerfileParser() {}

    /**
     * Parses a whole Dockerfile.
     *
     * @param text     the file's content
     * @param fileName the name errors show ({@code Dockerfile})
     * @throws DockerfileSyntaxException on any syntax error, with its location
     */
    public static Dockerfile parse(String text, String fileName) throws DockerfileSyntaxException {
        SyntaxParser parser = new SyntaxParser(Objects.requireNonNull(text, "text"),
                Objects.requireNonNull(fileName, "fileName"), 0, '\\', true);
        SyntaxTree tree = parser.parse();
        List<Instruction> instructions = new ArrayList<>(tree.nodes().size());
        try {
            convertAll(parser, tree.nodes(), instructions);
        } catch (DockerfileSyntaxException e) {
            // As BuildKit: the parser's findings and those its instruction parser makes for the instructions
            // before the one that fails are reported with the error; the rest of its checks never run.
            throw e.withFindingsBefore(findings(tree, instructions).stream()
                    .filter(f -> tree.findings().contains(f) || RULES_WHILE_PARSING.contains(f.rule())).toList(), tree);
        }
        return new Dockerfile(fileName, tree.directives(), tree.escape(), tree.nodes(), instructions, findings(tree, instructions),
                tree.checkComments());
    }

    /** The rules BuildKit runs while it parses each instruction (instructions.Parse), before any other. */
    private static final Set<CheckRule> RULES_WHILE_PARSING = Set.of(CheckRule.STAGE_NAME_CASING, CheckRule.FROM_AS_CASING,
            CheckRule.MAINTAINER_DEPRECATED, CheckRule.INVALID_DEFINITION_DESCRIPTION);

    /** The parser's and the syntax checks' findings of {@code instructions}, in line order (BuildKit's results are). */
    private static List<Finding> findings(SyntaxTree tree, List<Instruction> instructions) {
        List<Finding> findings = new ArrayList<>(tree.findings());
        findings.addAll(SyntaxChecks.run(tree.nodes().subList(0, instructions.size()), instructions, tree.lastComments()));
        findings.sort(Comparator.comparingInt(Finding::line));
        return findings;
    }

    /**
     * Parses only to the level of BuildKit's parser: lines, directives, heredocs and argument
     * forms, without checking keywords, flags or argument counts (see {@link SyntaxTree}).
     *
     * @throws DockerfileSyntaxException on errors of that level (bad directive, unterminated
     *                                   heredoc, nested JSON, ENV without value, no instructions)
     */
    public static SyntaxTree parseSyntax(String text, String fileName) throws DockerfileSyntaxException {
        return new SyntaxParser(Objects.requireNonNull(text, "text"), Objects.requireNonNull(fileName, "fileName"),
                0, '\\', true).parse();
    }

    /**
     * Parses one instruction on its own, as ONBUILD triggers are parsed when they fire. The text
     * may span several lines (continuations, or heredoc bodies as stored by
     * {@link Instruction.Onbuild#expression()}); parser directives are not recognised in it.
     *
     * @param lineNumber the line the text is reported at (1-based)
     * @param escape     the escape character of the Dockerfile the trigger came from: {@code \} or {@code `}
     */
    public static Instruction parseInstruction(String line, String fileName, int lineNumber, char escape)
            throws DockerfileSyntaxException {
        if (escape != '\\' && escape != '`') {
            throw new IllegalArgumentException("escape must be \\ or `, not " + escape);
        }
        SyntaxParser parser = new SyntaxParser(Objects.requireNonNull(line, "line"),
                Objects.requireNonNull(fileName, "fileName"), Math.max(0, lineNumber - 1), escape, false);
        SyntaxTree tree = parser.parse();
        if (tree.nodes().size() != 1) {
            Node second = tree.nodes().get(1);
            Caret caret = second.positions().keyword();
            throw new DockerfileSyntaxException(second.location(),
                    "expected one instruction, found " + tree.nodes().size(), parser.sourceLines(second.location(), caret), caret);
        }
        List<Instruction> instructions = new ArrayList<>(1);
        convertAll(parser, tree.nodes(), instructions);
        return instructions.get(0);
    }

    /** Converts {@code nodes} in order into {@code instructions}; on an error those before it are there. */
    private static void convertAll(SyntaxParser parser, List<Node> nodes, List<Instruction> instructions)
            throws DockerfileSyntaxException {
        InstructionConverter converter = new InstructionConverter();
        for (Node node : nodes) {
            try {
                instructions.add(converter.convert(node));
            } catch (SyntaxProblem e) {
                Caret caret = node.positions().at(e.offset());
                throw new DockerfileSyntaxException(node.location(), e.getMessage(), parser.sourceLines(node.location(), caret), caret);
            }
        }
    }
}
