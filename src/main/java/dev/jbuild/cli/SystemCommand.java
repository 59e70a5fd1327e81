package dev.jbuild.cli;

import dev.jbuild.sandbox.SandboxRemoval;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreMaintenance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jbuild system ...}: commands about the store as a whole, as {@code podman system}. */
@Command(name = "system", mixinStandardHelpOptions = true,
        description = "Manage the local store as a whole.",
        subcommands = SystemCommand.Reset.class)
final class SystemCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code jbuild system reset}: removes the whole store. After rootless RUN steps the store holds
     * files of subordinate ids that the user cannot remove with {@code rm -rf}; this removes them
     * inside the user namespace, as {@code podman system reset} does for its storage.
     */
    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Remove the whole local store: every image, the build cache, unpacked layers,",
                "cache mounts and temporary files, including files owned by subordinate ids that",
                "rootless RUN steps created (which `rm -rf` cannot remove). Waits for running builds."})
    static final class Reset implements Runnable {

        @Spec
        CommandSpec spec;

        @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.")
        boolean force;

        @Override
        public void run() {
            Path given = ((JbuildCommand) spec.root().userObject()).root;
            Path location = given != null ? given : Store.defaultRoot();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.exists(location)) {
                out.println("Nothing to remove: there is no store at " + location);
                out.flush();
                return;
            }
            if (!force && !confirmed(location, err)) {
                out.println("Nothing removed.");
                out.flush();
                return;
            }
            Store store = Stores.openForReset(location);
            boolean complete;
            try {
                complete = StoreMaintenance.reset(store, SandboxRemoval.inUserNamespace(), w -> err.println("warning: " + w));
            } catch (IOException e) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reset: " + e.getMessage());
            }
            if (!complete) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reset: some of " + location + " could not be removed");
            }
            out.println("Removed the store at " + location);
            out.flush();
        }

        private static boolean confirmed(Path location, PrintWriter err) {
            err.print("This removes every image, the build cache and all other data in " + location
                    + ".\nAre you sure you want to continue? [y/N] ");
            err.flush();
            try {
                String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                return answer != null && (answer.strip().toLowerCase(Locale.ROOT).equals("y")
                        || answer.strip().toLowerCase(Locale.ROOT).equals("yes"));
            } catch (IOException e) {
                return false;
            }
        }
    }
}
