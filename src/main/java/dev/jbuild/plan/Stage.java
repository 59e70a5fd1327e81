package dev.jbuild.plan;

import dev.jbuild.dockerfile.Instruction;
import java.util.List;
import java.util.Set;

/**
 * One build stage, from its FROM to the next.
 *
 * @param index        position in the Dockerfile, counting from 0 (what {@code COPY --from=0} names)
 * @param name         the {@code AS} name in lower case, or null
 * @param from         the FROM instruction
 * @param base         what the stage starts from
 * @param platform     the expanded {@code FROM --platform} value, or null for the target platform
 * @param instructions the instructions after FROM, unexpanded
 * @param dependsOn    indexes of the stages this one needs (base, {@code COPY --from}, {@code RUN --mount=from})
 */
public record Stage(
        int index,
        String name,
        Instruction.From from,
        BaseImage base,
        String platform,
        List<Instruction> instructions,
        Set<Integer> dependsOn) {

    public Stage {
        instructions = List.copyOf(instructions);
        dependsOn = Set.copyOf(dependsOn);
    }

    /** The name users see in progress output: the AS name, or the index. */
    public String displayName() {
        return name != null ? name : "stage-" + index;
    }
}
