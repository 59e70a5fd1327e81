package dev.jbuild.cli;

import dev.jbuild.build.StoreMaintenance;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jbuild du}: what the local store holds, by kind. */
@Command(name = "du", mixinStandardHelpOptions = true,
        description = {"Show the disk usage of the local store: images, build cache, unpacked rootfs, temporary files."})
final class DuCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        StoreMaintenance.Usage usage;
        try {
            usage = StoreMaintenance.usage(store);
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: du: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-34s %10s%n", "KIND", "SIZE");
        out.printf("%-34s %10s%n", "blobs (" + usage.blobs() + ")", ProgressPrinter.size(usage.blobBytes()));
        out.printf("%-34s %10s%n", "  used by tagged images", ProgressPrinter.size(usage.taggedBytes()));
        out.printf("%-34s %10s%n", "  build cache only (" + usage.cacheRecords() + " records)", ProgressPrinter.size(usage.cacheOnlyBytes()));
        out.printf("%-34s %10s%n", "  unreferenced (prune removes)", ProgressPrinter.size(usage.unreachableBytes()));
        out.printf("%-34s %10s%n", "rootfs/ (" + usage.rootfsDirs() + " unpacked)", ProgressPrinter.size(usage.rootfsBytes()));
        out.printf("%-34s %10s%n", "tmp/", ProgressPrinter.size(usage.tmpBytes()));
        out.printf("%-34s %10s%n", "cache-mounts/", ProgressPrinter.size(usage.cacheMountBytes()));
        out.flush();
    }
}
