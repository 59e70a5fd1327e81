package dev.jbuild.cli;

import dev.jbuild.api.InvalidBuildException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Flags of {@code docker buildx build} and the classic {@code docker build} that jbuild does not
 * implement. They are parsed (with their values, so {@code --memory 2g .} still finds the context)
 * only to be refused by name: an unknown-option error would not say that the flag is known and
 * missing, and accepting them would silently build something else than asked. Hidden from
 * {@code --help}; docs/usage.md lists them.
 */
final class UnimplementedBuildFlags {

    // buildx build
    @Option(names = "--cgroup-parent", hidden = true) String cgroupParent;
    @Option(names = "--builder", hidden = true) String builder;
    @Option(names = "--detach", hidden = true, arity = "0..1", fallbackValue = "true") boolean detach;
    // classic docker build
    @Option(names = "--squash", hidden = true, arity = "0..1", fallbackValue = "true") boolean squash;
    @Option(names = "--stream", hidden = true, arity = "0..1", fallbackValue = "true") boolean stream;
    @Option(names = "--security-opt", hidden = true) List<String> securityOpt = new ArrayList<>();
    @Option(names = {"-c", "--cpu-shares"}, hidden = true) String cpuShares;
    @Option(names = "--cpu-period", hidden = true) String cpuPeriod;
    @Option(names = "--cpu-quota", hidden = true) String cpuQuota;
    @Option(names = "--cpuset-cpus", hidden = true) String cpusetCpus;
    @Option(names = "--cpuset-mems", hidden = true) String cpusetMems;
    @Option(names = {"-m", "--memory"}, hidden = true) String memory;
    @Option(names = "--memory-swap", hidden = true) String memorySwap;

    /** Refuses the first of these flags the command line used, naming it as the user wrote it. */
    static void reject(CommandSpec buildSpec, String mixinName) {
        ParseResult parsed = buildSpec.commandLine().getParseResult();
        for (OptionSpec option : buildSpec.mixins().get(mixinName).options()) {
            if (parsed.hasMatchedOption(option)) {
                throw notImplemented(buildSpec, option.longestName(), hint(option.longestName()));
            }
        }
    }

    /** The message every refused flag gets: {@code --X is not implemented yet}, exit code 2. */
    static ParameterException notImplemented(CommandSpec spec, String flag, String hint) {
        return new ParameterException(spec.commandLine(), InvalidBuildException.notImplemented(flag, hint).getMessage());
    }

    private static String hint(String flag) {
        return switch (flag) {
            case "--squash" -> "a last stage that is FROM scratch with COPY --from of the others gives one layer";
            case "--builder" -> "jbuild is its own builder; drop the flag";
            default -> "";
        };
    }
}
