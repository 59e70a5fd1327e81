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
 * @param warnings      non-fatal findings (empty continuation lines, ...), each already prefixed with its location
 */
public record Dockerfile(
        String fileName,
        Map<String, String> directives,
        char escape,
        List<Node> nodes,
        List<Instruction> instructions,
        List<String> warnings) {

    public Dockerfile {
        directives = Map.copyOf(directives);
        nodes = List.copyOf(nodes);
        instructions = List.copyOf(instructions);
        warnings = List.copyOf(warnings);
    }
}
