package dev.jbuild.maven;

import dev.jbuild.api.BuildOutcome;
import dev.jbuild.api.ImageBuild;
import dev.jbuild.api.JBuildException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Builds the image in {@code package}, after the jar, so a Dockerfile can COPY it; with {@code push} also pushes
 * it. The image goes into jbuild's store under its tags.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class BuildMojo extends AbstractJBuildMojo {

    /** Also push the image to its registry ({@code --push}). */
    @Parameter(property = "jbuild.push", defaultValue = "false")
    boolean push;

    @Override
    void execute(ImageBuild build) throws JBuildException {
        BuildOutcome outcome = build.push(push).run();
        getLog().info("jbuild: built " + String.join(", ", outcome.tags()) + " (image " + outcome.imageId() + ")");
    }
}
