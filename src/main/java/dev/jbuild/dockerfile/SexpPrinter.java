package dev.jbuild.dockerfile;

import java.util.List;

/**
 * Prints nodes in the S-expression format of BuildKit's parser test files, one instruction per
 * line: {@code (copy ["--from=b"] "src" "/dst")}. Strings are quoted with Go's rules; ONBUILD
 * nests its trigger; heredoc bodies are not printed (the {@code <<EOF} word stays in the arguments).
 */
final class SexpPrinter {

    private SexpPrinter() {}

    static String print(List<Node> nodes) {
        StringBuilder out = new StringBuilder();
        for (Node node : nodes) {
            out.append('(').append(expression(node)).append(")\n");
        }
        return out.toString();
    }

    static String expression(Node node) {
        StringBuilder out = new StringBuilder(node.keyword());
        if (!node.flags().isEmpty()) {
            out.append(" [");
            for (int i = 0; i < node.flags().size(); i++) {
                if (i > 0) {
                    out.append(' ');
                }
                out.append(GoText.quote(node.flags().get(i)));
            }
            out.append(']');
        }
        if (node.next() != null) {
            out.append(" (").append(expression(node.next())).append(')');
        }
        for (String arg : node.args()) {
            out.append(' ').append(GoText.quote(arg));
        }
        return GoText.trimSpace(out.toString());
    }
}
