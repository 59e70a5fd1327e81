package dev.jbuild.maven;

import dev.jbuild.api.CheckOutcome;
import dev.jbuild.api.ImageBuild;
import dev.jbuild.api.JBuildException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Runs the Dockerfile's build checks ({@code jbuild build --check}) in {@code verify}, where Maven's other checks
 * (checkstyle, spotless) run; nothing is built. Findings fail the build unless {@code failOnFindings} is false.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class CheckMojo extends AbstractJBuildMojo {

    /** Fail the build when a check finds something (as {@code --check} exits 1); false only logs the findings. */
    @Parameter(property = "jbuild.failOnFindings", defaultValue = "true")
    boolean failOnFindings;

    @Override
    void execute(ImageBuild build) throws JBuildException, MojoFailureException {
        CheckOutcome outcome = build.check();
        if (outcome.findings().isEmpty()) {
            getLog().info("jbuild: the Dockerfile passes every check");
            return;
        }
        outcome.report().lines().forEach(getLog()::warn);
        if (failOnFindings) {
            throw new MojoFailureException("jbuild: " + outcome.findings().size() + " build check finding(s)"
                    + " (set failOnFindings to false to only report them)");
        }
    }
}
