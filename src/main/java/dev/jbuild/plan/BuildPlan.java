package dev.jbuild.plan;

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
 * @param warnings    findings to show the user, such as build args no ARG consumed
 */
public record BuildPlan(
        List<Stage> stages,
        int target,
        Map<String, String> globalArgs,
        Map<String, String> builtinArgs,
        Map<String, String> buildArgs,
        List<String> warnings) {

    public BuildPlan {
        stages = List.copyOf(stages);
        globalArgs = Map.copyOf(globalArgs);
        builtinArgs = Map.copyOf(builtinArgs);
        buildArgs = Map.copyOf(buildArgs);
        warnings = List.copyOf(warnings);
    }

    public Optional<Stage> stage(int index) {
        return stages.stream().filter(s -> s.index() == index).findFirst();
    }

    Stage targetStage() {
        return stage(target).orElseThrow();
    }
}
