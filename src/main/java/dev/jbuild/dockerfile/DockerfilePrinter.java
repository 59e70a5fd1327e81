package dev.jbuild.dockerfile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a parsed Dockerfile for people and tools ({@code jbuild parse}).
 *
 * <p>{@link #sexp} is the format of BuildKit's parser test files, one line per instruction.
 *
 * <p>{@link #json} is a stable JSON document:
 * <pre>{@code
 * {
 *   "file": "Dockerfile",
 *   "escape": "\\",
 *   "directives": {"syntax": "docker/dockerfile:1"},      // keys sorted
 *   "warnings": ["Dockerfile:4: ..."],
 *   "instructions": [
 *     {
 *       "keyword": "copy",                                 // lower case
 *       "flags": ["--from=build"],                         // as written, quotes resolved
 *       "args": ["<<EOF", "/etc/motd"],
 *       "json": false,                                     // exec (JSON) form
 *       "heredocs": [{"name": "EOF", "content": "hi\n", "expand": true, "stripTabs": false}],
 *       "location": {"file": "Dockerfile", "startLine": 3, "endLine": 5},
 *       "original": "COPY <<EOF /etc/motd",
 *       "trigger": { ...same shape... }                    // ONBUILD only
 *     }
 *   ]
 * }
 * }</pre>
 * Every key is always present except {@code trigger}; field order is as shown.
 */
public final class DockerfilePrinter {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DockerfilePrinter() {}

    /** The S-expression form, one {@code (instruction ...)} line per instruction, each ending in a newline. */
    static String sexp(Dockerfile dockerfile) {
        return SexpPrinter.print(dockerfile.nodes());
    }

    /** The S-expression form of a syntax-only parse. */
    public static String sexp(SyntaxTree tree) {
        return SexpPrinter.print(tree.nodes());
    }

    /** The JSON form described in the class comment, pretty-printed. */
    static String json(Dockerfile dockerfile) {
        return render(dockerfile.fileName(), dockerfile.escape(), dockerfile.directives(), dockerfile.warnings(),
                dockerfile.nodes());
    }

    /** The JSON form of a syntax-only parse. */
    public static String json(SyntaxTree tree) {
        return render(tree.fileName(), tree.escape(), tree.directives(), tree.warnings(), tree.nodes());
    }

    private static String render(String file, char escape, Map<String, String> directives, List<String> warnings,
                                 List<Node> nodes) {
        ObjectNode root = NODES.objectNode();
        root.put("file", file);
        root.put("escape", String.valueOf(escape));
        ObjectNode directiveNode = root.putObject("directives");
        new TreeMap<>(directives).forEach(directiveNode::put);
        ArrayNode warningNode = root.putArray("warnings");
        warnings.forEach(warningNode::add);
        ArrayNode instructions = root.putArray("instructions");
        nodes.forEach(node -> instructions.add(nodeJson(node)));
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode nodeJson(Node node) {
        ObjectNode out = NODES.objectNode();
        out.put("keyword", node.keyword());
        ArrayNode flags = out.putArray("flags");
        node.flags().forEach(flags::add);
        ArrayNode args = out.putArray("args");
        node.args().forEach(args::add);
        out.put("json", node.json());
        ArrayNode heredocs = out.putArray("heredocs");
        for (Heredoc heredoc : node.heredocs()) {
            ObjectNode h = heredocs.addObject();
            h.put("name", heredoc.name());
            h.put("content", heredoc.content());
            h.put("expand", heredoc.expand());
            h.put("stripTabs", heredoc.stripTabs());
        }
        ObjectNode location = out.putObject("location");
        location.put("file", node.location().file());
        location.put("startLine", node.location().startLine());
        location.put("endLine", node.location().endLine());
        out.put("original", node.original());
        if (node.next() != null) {
            out.set("trigger", nodeJson(node.next()));
        }
        return out;
    }
}
