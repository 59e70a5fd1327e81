package dev.jbuild.progress;

/**
 * A progress printer that keeps something open while the build runs (the terminal's live lines,
 * unfinished steps of a JSON stream): told once that the build ended, before the summary or the
 * error is printed, so that neither lands on a progress line.
 */
public interface ProgressEnd {

    /** The build ended; {@code error} is its failure message, or null when it succeeded. */
    void buildEnded(String error);

    /** Tells {@code printer} the build ended, if it cares. */
    public static void of(Object printer, String error) {
        if (printer instanceof ProgressEnd end) {
            end.buildEnded(error);
        }
    }
}
