package dev.jbuild.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.dockerfile.Location;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * How build checks' findings are shown, in buildx's forms: during a build a {@code warning:} line each
 * and {@code N warnings found:} with the short forms at the end; for {@code --check} BuildKit's lint
 * report ({@code WARNING: Rule - URL}, the detail, the source excerpt) or, with {@code format=json},
 * the lint subrequest's {@code result.json} (BuildKit's {@code lint.LintResults}).
 */
final class CheckReport {

    private CheckReport() {}

    /** The line a finding gets while a build runs: {@code Dockerfile:3: Rule: detail (URL)}. */
    static String warningLine(Finding finding) {
        return finding + (finding.url().isEmpty() ? "" : " (" + finding.url() + ")");
    }

    /** buildx's end-of-build list (its printWarnings, without the terminal colour). */
    static void summary(PrintWriter err, List<Finding> findings) {
        if (findings.isEmpty()) {
            return;
        }
        err.println();
        err.println(" " + (findings.size() == 1 ? "1 warning found" : findings.size() + " warnings found") + ":");
        findings.forEach(f -> err.println(" - " + f.shortForm()));
        err.flush();
    }

    /** {@code --call=check}'s text: buildx's printResult for {@code lint}. */
    static void text(PrintWriter out, List<Finding> findings, String fileName, String dockerfileText) {
        if (findings.isEmpty()) {
            out.println("Check complete, no warnings found.");
            out.flush();
            return;
        }
        out.println("Check complete, " + (findings.size() == 1 ? "1 warning has been found!"
                : findings.size() + " warnings have been found!"));
        String[] lines = dockerfileText.split("\n", -1);
        for (Finding finding : findings) {
            out.println();
            out.println("WARNING: " + finding.ruleName() + (finding.url().isEmpty() ? "" : " - " + finding.url()));
            out.println(finding.detail());
            if (finding.location() != null) {
                excerpt(out, finding.location(), fileName, lines);
            }
        }
        out.flush();
    }

    /**
     * BuildKit's source excerpt (errdefs.Source.Print): the lines of the range marked {@code >>>}, with
     * four lines of context around a one-line range and two around a longer one, as far as the file goes.
     */
    private static void excerpt(PrintWriter out, Location location, String fileName, String[] lines) {
        int start = location.startLine();
        int end = Math.min(location.endLine(), lines.length);
        if (start < 1 || start > lines.length) {
            return;
        }
        int pad = end == start ? 4 : 2;
        int first = start;
        int last = end;
        for (int p = 0; p < pad; p++) {
            if (first > 1) {
                first--;
                p++;
            }
            if (last != lines.length) {
                last++;
                p++;
            }
        }
        out.println(fileName + ":" + start);
        out.println("--------------------");
        for (int i = first; i <= last; i++) {
            String prefix = i >= start && i <= end ? ">>>" : "   ";
            out.println(String.format(" %3d | %s %s", i, prefix, lines[i - 1]));
        }
        out.println("--------------------");
    }

    /**
     * The JSON of BuildKit's lint results: {@code warnings} (ruleName, description, url, detail, location
     * with ranges of lines; protobuf's JSON leaves out zero values such as source index 0 and
     * character 0) and {@code sources} (the Dockerfile, its bytes in base64), indented as
     * {@code json.MarshalIndent(results, "", "  ")}.
     */
    static String json(List<Finding> findings, String fileName, String dockerfileText, String buildError) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ArrayNode warnings = root.putArray("warnings");
        for (Finding finding : findings) {
            ObjectNode w = warnings.addObject();
            w.put("ruleName", finding.ruleName());
            w.put("description", finding.description());
            if (!finding.url().isEmpty()) {
                w.put("url", finding.url());
            }
            w.put("detail", finding.detail());
            if (finding.location() != null) {
                ArrayNode ranges = w.putObject("location").putArray("ranges");
                ObjectNode range = ranges.addObject();
                range.putObject("start").put("line", finding.location().startLine());
                range.putObject("end").put("line", finding.location().endLine());
            }
        }
        ObjectNode source = root.putArray("sources").addObject();
        source.put("filename", fileName);
        source.put("language", "Dockerfile");
        source.put("data", Base64.getEncoder().encodeToString(dockerfileText.getBytes(StandardCharsets.UTF_8)));
        if (buildError != null) {
            root.putObject("buildError").put("message", buildError);
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
