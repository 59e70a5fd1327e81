package dev.jbuild.plan;

import dev.jbuild.dockerfile.CheckConfig;
import dev.jbuild.dockerfile.Finding;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stages a build needs, in Dockerfile order, and the values every stage can see.
 *
 * @param stages      the stages the target needs (pruned), in Dockerfile order; dependencies come first
 * @param target      the index of the stage whose result is the build's output
 * @param globalArgs  the ARGs declared before the first FROM that have a value, resolved
 * @param builtinArgs the predefined platform args (TARGETPLATFORM, BUILDARCH, ...) for this build
 * @param buildArgs   the {@code --build-arg} values
 * @param warnings    jbuild's own warnings, such as build args no ARG consumed
 * @param findings    the build checks' findings the {@code checks} options report, in line order
 * @param checks      the check options in force (the directive, or {@code BUILDKIT_DOCKERFILE_CHECK})
 */
public record BuildPlan(
        List<Stage> stages,
        int target,
        Map<String, String> globalArgs,
        Map<String, String> builtinArgs,
        Map<String, String> buildArgs,
        List<String> warnings,
        List<Finding> findings,
        CheckConfig checks) {

    public BuildPlan {
        stages = List.copyOf(stages);
        globalArgs = Map.copyOf(globalArgs);
        builtinArgs = Map.copyOf(builtinArgs);
        buildArgs = Map.copyOf(buildArgs);
        warnings = List.copyOf(warnings);
        findings = List.copyOf(findings);
    }

    public Optional<Stage> stage(int index) {
        return stages.stream().filter(s -> s.index() == index).findFirst();
    }

    Stage targetStage() {
        return stage(target).orElseThrow();
    }
}
