package dev.jbuild.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs host programs on file names that must keep their bytes ({@link RawNames}). A process argument
 * cannot: the JDK encodes each one with the locale's character set, so a byte that is not UTF-8 (or, under
 * {@code LC_ALL=C}, any non-ASCII one) arrives as {@code ?}. A script is bytes, so the names go into a
 * POSIX {@code sh} script written to the shell's standard input instead of its argument list.
 */
public final class ShellScript {

    /** What the script printed (standard output and error, UTF-8 with replacements) and its exit status. */
    public record Result(int status, String output) {
    }

    private ShellScript() {
    }

    /** {@code word} as one shell word, quoted so that the shell takes every byte literally. */
    public static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The words quoted and joined by spaces: one command line. */
    public static String command(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.length() == 0 ? "" : " ").append(quote(w));
        }
        return b.toString();
    }

    /**
     * Runs {@code script} with {@code sh} (a path, or a name looked up in PATH). Its commands read
     * {@code /dev/null}, not the rest of the script.
     */
    public static Result run(String sh, String script) throws IOException, InterruptedException {
        // A group is read whole before it runs, so the commands in it cannot consume script text.
        byte[] bytes = RawNames.encode("{\n" + script + "\n} </dev/null\n");
        Process process = new ProcessBuilder(sh, "-s").redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(bytes);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(process.waitFor(), output);
    }
}
