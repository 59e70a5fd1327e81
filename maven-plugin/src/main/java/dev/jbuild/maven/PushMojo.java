package dev.jbuild.maven;

import dev.jbuild.api.ImageBuild;
import dev.jbuild.api.JBuildException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Pushes the image in {@code deploy}. It runs the same build with {@code push}: after {@code build} in the same
 * invocation every step comes from the build cache, so this pushes what {@code build} made (and builds it first
 * when {@code push} runs alone, e.g. {@code mvn jbuild:push}); jbuild has no second way of getting an image.
 */
@Mojo(name = "push", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PushMojo extends AbstractJBuildMojo {

    @Override
    void execute(ImageBuild build) throws JBuildException {
        // The progress lines name each pushed reference with its digest.
        build.push(true).run();
    }
}
