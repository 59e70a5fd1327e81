package dev.jbuild.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code jbuild} command; without a subcommand, arguments go to {@code build}. Its
 * subcommands are {@link Main#SUBCOMMANDS}, registered by {@link Main} (only the one a command line
 * runs, since picocli builds each command's model by reflection).
 */
@Command(name = "jbuild",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Build OCI images from Dockerfiles, without a daemon and without root.",
            "",
            "`jbuild [OPTIONS] PATH` is short for `jbuild build [OPTIONS] PATH`."
        },
        footer = {"", "Exit codes: 0 success, 1 build failed, 2 usage error, 125 environment problem, 130 interrupted."})
final class JbuildCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show debug output and stack traces.")
    boolean debug;

    @Option(names = "--root", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "The image store (default: $JBUILD_ROOT, else $XDG_DATA_HOME/jbuild, else ~/.local/share/jbuild).")
    Path root;

    @Option(names = "--config", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Where Docker's config.json is (default: $DOCKER_CONFIG, else ~/.docker).")
    Path config;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", scope = ScopeType.INHERIT,
            description = "Credentials for the registry of the image(s) this command pushes or pulls by name.")
    String creds;

    @Option(names = "--tls-ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Also trust the CA certificate(s) in this PEM file; repeatable.")
    List<Path> tlsCa = new ArrayList<>();

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]", scope = ScopeType.INHERIT,
            description = "Reach this registry without certificate checks, or over plain HTTP; repeatable.")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--tls-verify", paramLabel = "true|false", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            scope = ScopeType.INHERIT, description = "--tls-verify=false treats every registry as insecure (default: true).")
    boolean tlsVerify = true;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
