package dev.jbuild.api;

import java.time.Duration;

/**
 * What happens during a build, for {@link ImageBuild#listener}. Steps are numbered from 1 in the order
 * they start ({@code #N} in plain progress); independent stages run at once, so events of different
 * steps interleave, and they come from several threads.
 */
public sealed interface BuildEvent {

    /** A step started: {@code [stage index/steps] text}, as in {@code #3 [build 2/5] RUN make}. */
    record StepStarted(int step, String stage, int index, int steps, String text) implements BuildEvent {}

    /** A step was taken from the build cache instead of running. */
    record StepCached(int step) implements BuildEvent {}

    /** A step finished. */
    record StepDone(int step, Duration elapsed) implements BuildEvent {}

    /** A line of a step's output (a RUN's standard output and error, a pull's progress). */
    record Output(int step, String line) implements BuildEvent {}

    /**
     * A warning or a build check's finding, also listed in {@link BuildOutcome#warnings()}; {@code text} is the
     * line plain progress prints after {@code warning: } ({@code Dockerfile:3: StageNameCasing: ... (URL)}).
     */
    record Warning(Finding finding, String text) implements BuildEvent {}

    /** A reference was pushed, with the digest the registry stored. */
    record Pushed(String reference) implements BuildEvent {}

    /** Any other line plain progress prints: signing, {@code --load}, the summary, garbage collection. */
    record Message(String line) implements BuildEvent {}

    /** The build finished; the last event of a successful build. */
    record Done(BuildOutcome outcome) implements BuildEvent {}
}
