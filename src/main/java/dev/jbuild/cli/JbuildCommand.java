package dev.jbuild.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code jbuild} command; without a subcommand, arguments go to {@code build}. */
@Command(name = "jbuild",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Build OCI images from Dockerfiles, without a daemon and without root.",
            "",
            "`jbuild [OPTIONS] PATH` is short for `jbuild build [OPTIONS] PATH`."
        },
        subcommands = {
            BuildCommand.class,
            ParseCommand.class,
            ImagesCommand.class,
            InspectCommand.class,
            TagCommand.class,
            RmiCommand.class,
            SaveCommand.class,
            CompletionCommand.class,
        },
        footer = {"", "Exit codes: 0 success, 1 build failed, 2 usage error, 125 environment problem, 130 interrupted."})
final class JbuildCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show debug output and stack traces.")
    boolean debug;

    @Option(names = "--root", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "The image store (default: $JBUILD_ROOT, else $XDG_DATA_HOME/jbuild, else ~/.local/share/jbuild).")
    java.nio.file.Path root;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
