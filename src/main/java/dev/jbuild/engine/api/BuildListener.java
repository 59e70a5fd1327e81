package dev.jbuild.engine.api;

import dev.jbuild.dockerfile.Finding;
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
     * most one of them at a time, so the blob events ({@link #progress} of a pull or push, {@link #transferDone}),
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

    /**
     * A metadata instruction (ENV, ARG, LABEL, CMD, ...) of {@code stage} was applied, from the cache
     * when {@code cached}. It is no step of its own: BuildKit shows none for them either, and they
     * take no time worth showing.
     */
    default void metadataApplied(String stage, String text, boolean cached) {}

    /** A line of output from {@code step}. */
    default void log(StepId step, String line) {}

    /** Long work whose bytes progress events count. */
    enum Work {
        /** a blob downloaded from a registry */
        PULL,
        /** a blob uploaded to a registry */
        PUSH,
        /** a layer being written (tar and compression); bytes of file content */
        COMPRESS,
        /** base layers being unpacked for RUN; compressed bytes read */
        EXTRACT
    }

    /**
     * Bytes of long work done so far, at most every ~100 ms ({@code total} -1 when unknown). Pulls and
     * pushes come from the registry client, which knows no steps: their {@code step} is null and they
     * belong to the running {@link #PULL} or {@link #PUSH} step (or, outside one, to a registry cache's
     * layer read on demand); {@code subject} is then the blob's digest. Compression and extraction name
     * their step; their subject says what is being made ({@code layer}, {@code 3 layers}).
     */
    default void progress(StepId step, Work work, String subject, long done, long total) {}

    /**
     * {@code step} wrote a layer: {@code size} bytes of tar, {@code compressedSize} bytes of blob
     * {@code digest} ({@code compression} is its codec), in {@code elapsed}.
     */
    default void layerWritten(StepId step, String digest, long size, String compression, long compressedSize,
            Duration elapsed) {}

    /** A blob finished moving: {@code how} says whether it was transferred, found present or mounted. */
    default void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {}

    /** Something the user should know that does not stop the build. */
    default void warning(String message) {}

    /**
     * A build check's finding the engine made (the rules that need a base image or the context), already
     * filtered by the build's check options. Listeners that show no findings of their own print it as
     * a warning with the rule's link.
     */
    default void finding(Finding finding) {
        warning(finding + (finding.url().isEmpty() ? "" : " (" + finding.url() + ")"));
    }

    BuildListener NONE = new BuildListener() {};
}
