package dev.jbuild.maven;

import dev.jbuild.api.BuildFailedException;
import dev.jbuild.api.DockerfileException;
import dev.jbuild.api.ImageBuild;
import dev.jbuild.api.JBuild;
import dev.jbuild.api.JBuildException;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * What the goals share: the configuration (docs/maven-plugin.md lists every parameter), turned into one
 * {@link ImageBuild} of jbuild's Java API, the only way this plugin builds; and the mapping of the API's
 * exceptions to Maven's (a Dockerfile or a step that fails the build is a {@link MojoFailureException},
 * a configuration or a machine that cannot build is a {@link MojoExecutionException}).
 */
abstract class AbstractJBuildMojo extends AbstractMojo {

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    MavenSession session;

    @Component
    SettingsDecrypter settingsDecrypter;

    /** The build context: the directory COPY and ADD read from. */
    @Parameter(property = "jbuild.contextDirectory", defaultValue = "${project.basedir}", required = true)
    File contextDirectory;

    /** The Dockerfile; default {@code Dockerfile} in the context directory. */
    @Parameter(property = "jbuild.dockerfile")
    File dockerfile;

    /** The image's names; default {@code ${project.artifactId}:${project.version}} in lower case. */
    @Parameter(property = "jbuild.tags")
    List<String> tags;

    /** Build arguments ({@code --build-arg}); an empty element is an empty value. */
    @Parameter
    Map<String, String> buildArgs;

    /** The stage to build ({@code --target}); default the last. */
    @Parameter(property = "jbuild.target")
    String target;

    /** The platforms to build for ({@code linux/amd64}); default the host's. */
    @Parameter(property = "jbuild.platforms")
    List<String> platforms;

    /** Secrets for {@code RUN --mount=type=secret}: {@code <secret><id/><file/> or <env/></secret>}. */
    @Parameter
    List<Secret> secrets;

    /** Cache sources in {@code --cache-from} syntax. */
    @Parameter
    List<String> cacheFrom;

    /** Cache exports in {@code --cache-to} syntax. */
    @Parameter
    List<String> cacheTo;

    /** Named contexts ({@code --build-context NAME=VALUE}): name to directory, {@code docker-image://}, ... */
    @Parameter
    Map<String, String> buildContexts;

    /** Labels of the image config ({@code --label}). */
    @Parameter
    Map<String, String> labels;

    /** Always look for newer base images ({@code --pull}). */
    @Parameter(property = "jbuild.pull", defaultValue = "false")
    boolean pull;

    /** Take nothing from the build cache ({@code --no-cache}). */
    @Parameter(property = "jbuild.noCache", defaultValue = "false")
    boolean noCache;

    /** jbuild's image store; default the CLI's ({@code $JBUILD_ROOT}, else {@code ~/.local/share/jbuild}). */
    @Parameter(property = "jbuild.store")
    File storeDirectory;

    /** Skip the goal. */
    @Parameter(property = "jbuild.skip", defaultValue = "false")
    boolean skip;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("jbuild: skipped (jbuild.skip)");
            return;
        }
        try {
            execute(imageBuild());
        } catch (DockerfileException e) {
            throw failure(e, e.line());
        } catch (BuildFailedException e) {
            throw failure(e, e.line());
        } catch (JBuildException e) {
            logReport(e);
            throw new MojoExecutionException(e.getMessage(), e);
        }
    }

    /** Runs the goal's part of the build. */
    abstract void execute(ImageBuild build) throws JBuildException, MojoFailureException;

    /** The tags configured, or the one from the project's coordinates. */
    List<String> tags() {
        List<String> configured = tags == null ? List.of() : tags.stream().filter(t -> t != null && !t.isBlank()).toList();
        return configured.isEmpty() ? List.of(defaultTag(project.getArtifactId(), project.getVersion())) : configured;
    }

    /** {@code artifactId:version} in lower case: image repositories admit no capitals. */
    static String defaultTag(String artifactId, String version) {
        return (artifactId + ":" + version).toLowerCase(Locale.ROOT);
    }

    private ImageBuild imageBuild() throws MojoExecutionException {
        ImageBuild build = JBuild.build(contextDirectory.toPath());
        if (dockerfile != null) {
            build.dockerfile(dockerfile.toPath());
        }
        tags().forEach(build::tag);
        if (buildArgs != null) {
            buildArgs.forEach((key, value) -> build.buildArg(key, value == null ? "" : value));
        }
        if (target != null && !target.isBlank()) {
            build.target(target);
        }
        each(platforms).forEach(build::platform);
        for (Secret secret : secrets == null ? List.<Secret>of() : secrets) {
            if (secret.getId() == null || (secret.getFile() == null) == (secret.getEnv() == null)) {
                throw new MojoExecutionException("each <secret> needs an <id> and one of <file> or <env>: " + secret);
            }
            if (secret.getFile() != null) {
                build.secretFile(secret.getId(), secret.getFile().toPath());
            } else {
                build.secretEnv(secret.getId(), secret.getEnv());
            }
        }
        each(cacheFrom).forEach(build::cacheFrom);
        each(cacheTo).forEach(build::cacheTo);
        if (buildContexts != null) {
            buildContexts.forEach(build::buildContext);
        }
        if (labels != null) {
            labels.forEach((key, value) -> build.label(key, value == null ? "" : value));
        }
        build.pull(pull).noCache(noCache);
        if (storeDirectory != null) {
            build.store(storeDirectory.toPath());
        }
        Settings settings = decryptedSettings();
        for (MavenRegistries.ServerCredentials server : MavenRegistries.credentials(settings.getServers())) {
            build.registryCredentials(server.registry(), server.username(), server.password());
        }
        build.environment(MavenRegistries.withProxy(System.getenv(), settings.getProxies(), getLog()::warn));
        // The same lines as `jbuild build --progress=plain`.
        build.progress(getLog()::info);
        return build;
    }

    /** The session's settings with passwords decrypted (settings-security.xml) where Maven can. */
    private Settings decryptedSettings() {
        Settings settings = session.getSettings();
        if (settingsDecrypter == null) {
            return settings;
        }
        SettingsDecryptionResult result = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(settings));
        for (SettingsProblem problem : result.getProblems()) {
            getLog().warn("settings.xml: " + problem.getMessage());
        }
        Settings decrypted = settings.clone();
        decrypted.setServers(new ArrayList<Server>(result.getServers()));
        decrypted.setProxies(new ArrayList<Proxy>(result.getProxies()));
        return decrypted;
    }

    private static List<String> each(List<String> values) {
        return values == null ? List.of() : values.stream().filter(v -> v != null && !v.isBlank()).toList();
    }

    private MojoFailureException failure(JBuildException e, int line) {
        logReport(e);
        String message = e.getMessage();
        String location = (dockerfile == null ? "Dockerfile" : dockerfile.getName()) + ":" + line + ":";
        if (line > 0 && !message.contains(location)) {
            message = location + " " + message;
        }
        return new MojoFailureException(message, e);
    }

    /** The error as the CLI prints it (the Dockerfile's lines with a caret), where the build's log is. */
    private void logReport(JBuildException e) {
        e.report().stream().flatMap(String::lines).forEach(getLog()::error);
    }
}
