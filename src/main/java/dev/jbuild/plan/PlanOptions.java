package dev.jbuild.plan;

import java.util.Map;
import java.util.Set;

/**
 * What the planner needs from the command line.
 *
 * @param buildArgs       {@code --build-arg} values, in the order given
 * @param target          {@code --target} stage name, or null for the last stage
 * @param targetPlatform  the platform being built, {@code os/arch[/variant]}
 * @param buildPlatform   the platform jbuild runs on, {@code os/arch[/variant]}
 * @param namedContexts   names given with {@code --build-context}; a FROM or {@code --from} naming one uses it
 */
public record PlanOptions(
        Map<String, String> buildArgs,
        String target,
        String targetPlatform,
        String buildPlatform,
        Set<String> namedContexts) {

    public PlanOptions {
        buildArgs = Map.copyOf(buildArgs);
        namedContexts = Set.copyOf(namedContexts);
    }
}
