package dev.jbuild.cli;

import dev.jbuild.progress.Quantities;
import dev.jbuild.sandbox.SandboxRemoval;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreMaintenance;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jbuild prune}: garbage collection of the store, in the manner of {@code docker builder prune}. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Remove build cache and unreferenced data from the local store.",
            "Always removes blobs that no tag and no cache record uses, unreadable cache records, and",
            "the temporary files of processes that are gone. Waits for running builds to finish first.",
            "`jbuild system reset` removes the whole store."},
        sortOptions = false)
final class PruneCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = {"-a", "--all"}, description = "Remove all build cache records and unpacked rootfs directories, not only unused ones.")
    boolean all;

    @Option(names = "--keep-storage", paramLabel = "SIZE",
            description = "Remove the least recently used cache until the store takes at most SIZE (e.g. 10GB, 512MB).")
    String keepStorage;

    @Option(names = "--filter", paramLabel = "until=DURATION",
            description = "Remove cache records and rootfs directories not used for DURATION (e.g. until=24h, until=90m).")
    List<String> filters = new ArrayList<>();

    @Override
    public void run() {
        StoreMaintenance.PruneOptions options = new StoreMaintenance.PruneOptions(all,
                keepStorage == null ? -1 : parseSize(keepStorage), until());
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StoreMaintenance.PruneResult result;
        try {
            result = StoreMaintenance.prune(store, options, SandboxRemoval.inUserNamespace(), w -> err.println("warning: " + w));
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: prune: " + e.getMessage());
        }
        out.printf("Deleted %d cache records, %d blobs, %d rootfs directories, %d temporary entries%n",
                result.cacheRecords(), result.blobs(), result.rootfsDirs(), result.tmpEntries());
        out.printf("Total reclaimed space: %s%n", Quantities.bytes(result.freedBytes()));
        out.flush();
    }

    private Duration until() {
        Duration until = null;
        for (String filter : filters) {
            int equals = filter.indexOf('=');
            String key = equals < 0 ? filter : filter.substring(0, equals);
            if (!key.equals("until") || equals < 0) {
                throw new ParameterException(spec.commandLine(), "invalid --filter " + filter + ": only until=DURATION is supported");
            }
            until = parseDuration(filter.substring(equals + 1));
        }
        return until;
    }

    private Duration parseDuration(String text) {
        try {
            return Quantities.duration(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private long parseSize(String text) {
        try {
            return Quantities.size(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
