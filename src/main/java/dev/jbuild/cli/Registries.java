package dev.jbuild.cli;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.image.ImageName;
import dev.jbuild.progress.Quantities;
import dev.jbuild.progress.RegistryWarnings;
import dev.jbuild.progress.TransferProgress;
import dev.jbuild.registry.Credentials;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryOptions;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Registry access as the global options configure it. */
final class Registries {

    private Registries() {}

    /**
     * A client; {@code --creds} is given to the registries of {@code named} only (the images the
     * command names), never to the registries bases come from, so a password is not sent elsewhere.
     */
    static RegistryClient client(CommandSpec spec, Collection<ImageName> named) {
        return RegistryClient.create(options(spec, named).toBuilder()
                .listener(new RegistryWarnings(spec.commandLine().getErr())).build());
    }

    /** A client whose blob transfers are reported to {@code listener} (progress output). */
    static RegistryClient client(CommandSpec spec, Collection<ImageName> named, BuildListener listener) {
        return RegistryClient.create(options(spec, named).toBuilder().listener(new TransferProgress(listener)).build());
    }

    static RegistryOptions options(CommandSpec spec, Collection<ImageName> named) {
        JbuildCommand global = (JbuildCommand) spec.root().userObject();
        RegistryOptions.Builder builder = RegistryOptions.builder();
        if (global.config != null) {
            builder.dockerConfigFile(global.config.resolve("config.json"));
        }
        if (global.creds != null) {
            Credentials credentials;
            try {
                credentials = Credentials.parse(global.creds);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "invalid --creds: " + e.getMessage());
            }
            for (ImageName name : named) {
                builder.credentials(name.registry(), credentials);
            }
        }
        String rate = System.getenv(RegistryOptions.MIN_TRANSFER_RATE_VARIABLE);
        if (rate != null && !rate.isBlank()) {
            builder.minTransferRate(minTransferRate(spec, rate));
        }
        global.tlsCa.forEach(builder::tlsCaFile);
        global.insecureRegistries.forEach(builder::insecureRegistry);
        if (!global.tlsVerify) {
            builder.insecureRegistry("*");
        }
        return builder.build();
    }

    /** {@code JBUILD_MIN_TRANSFER_RATE}, a bad value being a usage error. */
    static long minTransferRate(CommandSpec spec, String value) {
        try {
            return Quantities.minTransferRate(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The environment with {@code --config} applied, for reading and writing config.json. */
    static Map<String, String> environment(CommandSpec spec) {
        JbuildCommand global = (JbuildCommand) spec.root().userObject();
        Map<String, String> env = new HashMap<>(System.getenv());
        if (global.config != null) {
            env.put("DOCKER_CONFIG", global.config.toAbsolutePath().toString());
        }
        return env;
    }
}
