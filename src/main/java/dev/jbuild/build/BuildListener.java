package dev.jbuild.build;

import java.time.Duration;

/**
 * What a build reports as it goes; the CLI turns it into progress output. All methods are optional.
 *
 * <p>Independent stages run at the same time, so the methods are called from several threads and
 * the events of different steps interleave: every step event names its {@link StepId}, and an
 * implementation that keeps state must synchronise.
 */
public interface BuildListener {

    /**
     * The stage name of the steps that pull a base image and push the result. The builder runs at
     * most one of them at a time, so the blob events ({@link #transferProgress}, {@link #transferDone}),
     * which the registry client reports without a step, belong to the one running.
     */
    String PULL = "pull";
    String PUSH = "push";

    /** A step starts: {@code [stage step/steps] text}. */
    default void stepStarted(StepId step, String stage, int index, int steps, String text) {}

    /** {@code step} has finished. */
    default void stepFinished(StepId step, Duration elapsed) {}

    /** {@code step} was taken from the build cache (instead of {@link #stepFinished}). */
    default void stepCached(StepId step) {}

    /** A line of output from {@code step}. */
    default void log(StepId step, String line) {}

    /**
     * Bytes of a blob moved so far during a pull or push ({@code total} may be unknown: -1); the
     * blob belongs to the running {@link #PULL} or {@link #PUSH} step.
     */
    default void transferProgress(String blob, boolean upload, long done, long total) {}

    /** A blob finished moving: {@code how} says whether it was transferred, found present or mounted. */
    default void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {}

    /** Something the user should know that does not stop the build. */
    default void warning(String message) {}

    BuildListener NONE = new BuildListener() {};
}
