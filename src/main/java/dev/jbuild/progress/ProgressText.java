package dev.jbuild.progress;

import dev.jbuild.engine.api.BuildListener;
import java.time.Duration;
import java.util.Locale;

/** The words the progress printers share: step headings, layer lines, byte counts, times. */
public final class ProgressText {

    private ProgressText() {}

    /**
     * {@code #3 [build 2/5] COPY . /src} as BuildKit writes it ({@code [2/5]} for a Dockerfile's
     * only stage); a step that is no instruction (a pull, a push, a cache export) has no position:
     * {@code #1 pulling docker.io/library/busybox:1.36}.
     */
    public static String heading(int number, String stage, int index, int steps, String text) {
        if (steps <= 0) {
            return "#" + number + " " + text;
        }
        return "#" + number + " [" + (stage.isEmpty() ? "" : stage + " ") + index + "/" + steps + "] " + text;
    }

    /** {@code layer 1a2b3c4d5e6f: 4.1 kB, gzip 1.2 kB, in 0.0s}, with the rate when it took long enough to mean something. */
    public static String layer(String digest, long size, String compression, long compressedSize, Duration elapsed) {
        String line = "layer " + hex12(digest) + ": " + Quantities.bytes(size) + ", " + compression + " "
                + Quantities.bytes(compressedSize) + ", in " + seconds(elapsed);
        return elapsed.toMillis() >= 500 ? line + " (" + Quantities.rate(size, elapsed) + ")" : line;
    }

    /** {@code compressing layer 52.1 MB / 157 MB}, {@code pulling sha256:1a2b3c4d5e6f 3.0 MB / 9.1 MB}. */
    public static String progress(BuildListener.Work work, String subject, long done, long total) {
        String verb = switch (work) {
            case PULL -> "pulling";
            case PUSH -> "pushing";
            case COMPRESS -> "compressing";
            case EXTRACT -> "unpacking";
        };
        String what = subject.startsWith("sha256:") ? shortDigest(subject) : subject;
        return verb + " " + what + " " + Quantities.bytes(done) + (total < 0 ? "" : " / " + Quantities.bytes(total));
    }

    /** {@code sha256:} and the first 12 hex digits. */
    public static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(0, Math.min(digest.length(), colon + 13));
    }

    private static String hex12(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return hex.substring(0, Math.min(12, hex.length()));
    }

    public static String seconds(Duration elapsed) {
        return String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0);
    }
}
