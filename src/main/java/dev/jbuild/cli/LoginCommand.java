package dev.jbuild.cli;

import dev.jbuild.registry.Credentials;
import dev.jbuild.registry.DockerConfigFile;
import dev.jbuild.registry.RegistryClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild login}: checks credentials against the registry, then stores them in Docker's
 * config.json as {@code docker login} does, so docker, podman and jbuild share them.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Log in to a registry: check the credentials, then save them in config.json.",
            "REGISTRY defaults to Docker Hub. Prefer --password-stdin: a password on the command line is visible to other users."})
final class LoginCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "REGISTRY", defaultValue = "docker.io", description = "host[:port] (default: ${DEFAULT-VALUE}).")
    String registry;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "User name.")
    String username;

    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD", description = "Password or token (insecure: prefer --password-stdin).")
    String password;

    @Option(names = "--password-stdin", description = "Read the password or token from standard input.")
    boolean passwordStdin;

    @Override
    public void run() {
        if (username == null || username.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "a user name is required: -u USER");
        }
        if (passwordStdin == (password != null)) {
            throw new ParameterException(spec.commandLine(), "give the password with exactly one of --password-stdin or -p");
        }
        String secret = passwordStdin ? readStdin() : password;
        if (secret.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "the password is empty");
        }
        Credentials credentials = Credentials.basic(username, secret);
        DockerConfigFile config = DockerConfigFile.fromEnvironment(Registries.environment(spec));
        try (RegistryClient client = Registries.client(spec, List.of())) {
            client.verifyCredentials(registry, credentials);
            Optional<String> helper = config.credentialHelper(registry);
            if (helper.isPresent()) {
                spec.commandLine().getErr().println("warning: " + config.path() + " sends " + registry + " to the credential helper "
                        + helper.get() + ", which jbuild cannot write to; store the credentials with that helper instead");
            }
            config.storeCredentials(registry, credentials);
        } catch (IOException e) {
            // The client names its operation ("logging in to X failed: HTTP 401 ..."), except for a
            // failure before any answer (an unknown host): say "login to X failed" once, then the cause.
            String message = String.valueOf(e.getMessage());
            String operation = "logging in to " + registry + " failed: ";
            String cause = message.startsWith(operation) ? message.substring(operation.length()) : message;
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: login to " + registry + " failed: " + cause);
        }
        spec.commandLine().getOut().println("Login Succeeded");
        spec.commandLine().getOut().flush();
    }

    private String readStdin() {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return line == null ? "" : line.strip();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the password from standard input: " + e.getMessage());
        }
    }
}
