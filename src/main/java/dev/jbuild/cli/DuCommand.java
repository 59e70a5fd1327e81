package dev.jbuild.cli;

import dev.jbuild.progress.Quantities;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreMaintenance;
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
        out.printf("%-34s %10s%n", "blobs (" + usage.blobs() + ")", Quantities.bytes(usage.blobBytes()));
        out.printf("%-34s %10s%n", "  used by tagged images", Quantities.bytes(usage.taggedBytes()));
        out.printf("%-34s %10s%n", "  build cache only (" + usage.cacheRecords() + " records)", Quantities.bytes(usage.cacheOnlyBytes()));
        out.printf("%-34s %10s%n", "  unreferenced (prune removes)", Quantities.bytes(usage.unreachableBytes()));
        out.printf("%-34s %10s%n", "rootfs/ (" + usage.rootfsDirs() + " unpacked)", Quantities.bytes(usage.rootfsBytes()));
        out.printf("%-34s %10s%n", "tmp/", Quantities.bytes(usage.tmpBytes()));
        out.printf("%-34s %10s%n", "cache-mounts/", Quantities.bytes(usage.cacheMountBytes()));
        out.flush();
    }
}
