package dev.jbuild.build;

import java.time.Duration;

/** What a build reports as it goes; the CLI turns it into progress output. All methods are optional. */
public interface BuildListener {

    /** A step starts: {@code [stage step/steps] text}. */
    default void stepStarted(String stage, int step, int steps, String text) {}

    /** The step that started last has finished. */
    default void stepFinished(Duration elapsed) {}

    /** The step that started last was taken from the build cache (instead of {@link #stepFinished}). */
    default void stepCached() {}

    /** A line of output from a step. */
    default void log(String line) {}

    /** Bytes of a blob moved so far during a pull or push ({@code total} may be unknown: -1). */
    default void transferProgress(String blob, boolean upload, long done, long total) {}

    /** A blob finished moving: {@code how} says whether it was transferred, found present or mounted. */
    default void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {}

    /** Something the user should know that does not stop the build. */
    default void warning(String message) {}

    BuildListener NONE = new BuildListener() {};
}
