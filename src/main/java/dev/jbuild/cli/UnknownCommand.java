package dev.jbuild.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The first word of a command line that names no command becomes the build context
 * ({@code jbuild .} is {@code jbuild build .}). A word that is no directory but nearly a command's
 * name is a typo, not a context, and {@code buildx} is docker's plug-in, which jbuild needs no
 * stand-in for: both get a usage error that says what was meant, instead of "the build context
 * imags is not a directory". So does a bare word that is neither a command nor a file.
 */
final class UnknownCommand {

    private UnknownCommand() {}

    /**
     * The message for {@code word}, taken as a build context, when it is rather a mistyped
     * command, {@code buildx}, or a bare word that names nothing (neither a command nor a file);
     * empty when it may well be a context (a directory, {@code -}, a path or URL).
     */
    static Optional<String> message(String word, List<String> commands) {
        if (word.equals("buildx")) {
            return Optional.of("unknown command \"buildx\": jbuild is the builder itself; drop \"buildx\""
                    + " (jbuild build ... is the build command)");
        }
        if (word.isEmpty() || word.startsWith("-") || word.contains("/") || word.contains(".") || word.contains(":")
                || Files.exists(Path.of(word))) {
            return Optional.empty();
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String command : commands) {
            int d = distance(word, command);
            if (d < bestDistance) {
                best = command;
                bestDistance = d;
            }
        }
        // One edit for short names (du, tag, rmi would otherwise match most short words), two else.
        int allowed = best != null && best.length() <= 4 ? 1 : 2;
        if (best != null && bestDistance > 0 && bestDistance <= allowed) {
            return Optional.of("unknown command \"" + word + "\"; did you mean " + best + "?");
        }
        // A bare word that is no directory: as likely a command jbuild does not have as a missing context.
        return Optional.of("unknown command \"" + word + "\", and no directory of that name to build"
                + " (jbuild PATH builds the directory PATH)");
    }

    /** Edits (insert, delete, substitute, swap two neighbours) from {@code a} to {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
