package dev.jbuild.cli;

import dev.jbuild.registry.DockerConfigFile;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild logout}: removes a registry's saved credentials from config.json. */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Remove a registry's credentials from config.json.")
final class LogoutCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "REGISTRY", defaultValue = "docker.io", description = "host[:port] (default: ${DEFAULT-VALUE}).")
    String registry;

    @Override
    public void run() {
        DockerConfigFile config = DockerConfigFile.fromEnvironment(Registries.environment(spec));
        try {
            boolean removed = config.removeCredentials(registry);
            spec.commandLine().getOut().println(removed ? "Removing login credentials for " + registry
                    : "Not logged in to " + registry);
            spec.commandLine().getOut().flush();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: logout from " + registry + ": " + e.getMessage());
        }
    }
}
