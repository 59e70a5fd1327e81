package dev.jbuild.api;

import java.util.List;

/** One run of an {@link ImageBuild}: the work of {@code jbuild build}, from its flag values to the outcome. */
final class BuildRun {

    private final ImageBuild options;

    BuildRun(ImageBuild options) {
        this.options = options;
    }

    BuildOutcome build() throws JBuildException {
        throw new EnvironmentException("not wired yet", List.of("error: not wired yet"), null);
    }

    CheckOutcome check() throws JBuildException {
        throw new EnvironmentException("not wired yet", List.of("error: not wired yet"), null);
    }

    List<String> dryRun() throws JBuildException {
        throw new EnvironmentException("not wired yet", List.of("error: not wired yet"), null);
    }
}
