package dev.jbuild.dockerfile;

import static dev.jbuild.dockerfile.Parsing.parse;
import static dev.jbuild.dockerfile.Parsing.sexp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrinterTest {

    @Test
    void sexpShowsFlagsArgumentsAndNestedOnbuild() throws Exception {
        assertEquals(String.join("\n",
                        "(from \"busybox\")",
                        "(copy [\"--from=builder\" \"--chown=1:1\"] \"src\" \"/dst\")",
                        "(onbuild (run [\"--network=none\"] \"echo\" \"test\"))",
                        "(onbuild)",
                        "(cmd)") + "\n",
                sexp("FROM busybox", "COPY --from=builder --chown=1:1 src /dst",
                        "ONBUILD RUN --network=none [\"echo\", \"test\"]", "ONBUILD", "CMD []"));
    }

    @Test
    void sexpQuotesLikeGo() {
        assertEquals("\"tab\\there \\a\\v \\x7f \\u0085 \\u00a0 \u00e9 \\u2028 \u2665\"",
                GoText.quote("tab\there \u0007\u000b \u007f \u0085 \u00a0 \u00e9 \u2028 \u2665"));
        assertEquals("\"\\x00\\x1b\\\"\\\\\"", GoText.quote("\u0000\u001b\"\\"));
        assertEquals("\"\\U000e0001 \uD83D\uDE00\"", GoText.quote("\uDB40\uDC01 \uD83D\uDE00"));
    }

    @Test
    void unknownInstructionsPrintWithoutArgumentsAtTheSyntaxLevel() throws Exception {
        assertEquals("(frob [\"--x\"])\n", sexp("FROB --x a b c"));
    }

    @Test
    void jsonHasAStableDocumentedShape() throws Exception {
        Dockerfile d = parse("# syntax=docker/dockerfile:1", "FROM scratch", "COPY --link <<EOF /motd", "hi", "EOF",
                "ONBUILD RUN [\"true\"]");
        JsonNode root = new ObjectMapper().readTree(DockerfilePrinter.json(d));
        assertEquals(List.of("file", "escape", "directives", "warnings", "instructions"), fieldNames(root));
        assertEquals("\\", root.get("escape").asText());
        assertEquals("docker/dockerfile:1", root.get("directives").get("syntax").asText());

        JsonNode copy = root.get("instructions").get(1);
        assertEquals(List.of("keyword", "flags", "args", "json", "heredocs", "location", "original"), fieldNames(copy));
        assertEquals("copy", copy.get("keyword").asText());
        assertEquals("--link", copy.get("flags").get(0).asText());
        assertEquals("<<EOF", copy.get("args").get(0).asText());
        assertEquals("hi\n", copy.get("heredocs").get(0).get("content").asText());
        assertEquals(3, copy.get("location").get("startLine").asInt());
        assertEquals(5, copy.get("location").get("endLine").asInt());
        assertEquals("COPY --link <<EOF /motd", copy.get("original").asText());

        JsonNode onbuild = root.get("instructions").get(2);
        assertEquals("run", onbuild.get("trigger").get("keyword").asText());
        assertEquals(true, onbuild.get("trigger").get("json").asBoolean());
        assertEquals(DockerfilePrinter.json(d), DockerfilePrinter.json(DockerfileParser.parseSyntax(
                Parsing.lines("# syntax=docker/dockerfile:1", "FROM scratch", "COPY --link <<EOF /motd", "hi", "EOF",
                        "ONBUILD RUN [\"true\"]"), "Dockerfile")));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
