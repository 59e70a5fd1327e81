package dev.jbuild.api;

import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.plan.BaseImage;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.Stage;
import java.io.PrintWriter;

/** {@code jbuild build --dry-run}: the stages and steps of a plan, each with where it is in the Dockerfile. */
final class DryRunPlan {
    private DryRunPlan() {
    }

    static void print(BuildPlan plan, PrintWriter out) {
        for (Stage stage : plan.stages()) {
            out.printf("stage %d%s: FROM %s%s  (%s)%n",
                    stage.index(),
                    stage.name() == null ? "" : " \"" + stage.name() + "\"",
                    describe(stage.base()),
                    stage.platform() == null ? "" : " --platform=" + stage.platform(),
                    stage.from().location().prefix());
            if (!stage.dependsOn().isEmpty()) {
                out.printf("  needs stages %s%n", stage.dependsOn());
            }
            // Numbered as the build numbers its steps: only what can change files; metadata instructions are listed unnumbered.
            long steps = stage.instructions().stream().filter(DryRunPlan::isStep).count();
            int step = 1;
            for (Instruction instruction : stage.instructions()) {
                if (isStep(instruction)) {
                    out.printf("  [%s %d/%d] %s  (%s)%n", stage.displayName(), step++, steps,
                            instruction.node().original(), instruction.location().prefix());
                } else {
                    out.printf("  %s  (%s)%n", instruction.node().original(), instruction.location().prefix());
                }
            }
        }
        out.printf("target: stage %d%n", plan.target());
        out.flush();
    }

    /** The instructions the engine runs as steps (its vertexes, {@code engine.step.Step#isVertex}). */
    private static boolean isStep(Instruction instruction) {
        return instruction instanceof Instruction.Run || instruction instanceof Instruction.Copy
                || instruction instanceof Instruction.Add || instruction instanceof Instruction.Workdir;
    }

    private static String describe(BaseImage base) {
        if (base instanceof BaseImage.Scratch) {
            return "scratch";
        } else if (base instanceof BaseImage.StageResult stage) {
            return "stage " + stage.stageIndex();
        } else if (base instanceof BaseImage.NamedContext named) {
            return "context " + named.name();
        }
        return "image " + ((BaseImage.Image) base).reference();
    }
}
