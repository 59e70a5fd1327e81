package dev.jbuild.dockerfile;

import java.util.List;

/**
 * One instruction as the parser saw it, before any meaning is given to it: the lowercase keyword,
 * its flags exactly as written ({@code --from=builder}), and its arguments. This is the level
 * BuildKit's parser test files describe, so {@code jbuild parse} prints it.
 *
 * @param keyword   instruction keyword in lower case ({@code copy})
 * @param flags     flags as written, in order, including the leading dashes (quotes and backslash
 *                  escapes inside a flag are resolved, as BuildKit does: {@code --chown="a b"} is
 *                  {@code --chown=a b})
 * @param args      arguments; for ENV and LABEL triples of key, value, separator ("" or "=");
 *                  empty for ONBUILD, whose trigger is {@code next}
 * @param json      true when the arguments came from JSON (exec) form
 * @param heredocs  heredocs attached to this instruction, in order of appearance (for ONBUILD
 *                  they are on both this node and its trigger)
 * @param original  the instruction's source text with continuations joined, for history entries
 * @param next      the nested instruction for ONBUILD, otherwise null
 * @param location  source range
 * @param positions where the keyword, each flag and each argument were written, for errors that
 *                  point at one of them
 */
public record Node(
        String keyword,
        List<String> flags,
        List<String> args,
        boolean json,
        List<Heredoc> heredocs,
        String original,
        Node next,
        Location location,
        SourcePositions positions) {

    public Node {
        flags = List.copyOf(flags);
        args = List.copyOf(args);
        heredocs = List.copyOf(heredocs);
    }
}
