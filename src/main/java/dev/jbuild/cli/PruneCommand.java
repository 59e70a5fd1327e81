package dev.jbuild.cli;

import dev.jbuild.build.StoreMaintenance;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jbuild prune}: garbage collection of the store, in the manner of {@code docker builder prune}. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Remove build cache and unreferenced data from the local store.",
            "Always removes blobs that no tag and no cache record uses, unreadable cache records, and",
            "temporary files older than an hour. Waits for running builds to finish first."},
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
            result = StoreMaintenance.prune(store, options, w -> err.println("warning: " + w));
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: prune: " + e.getMessage());
        }
        out.printf("Deleted %d cache records, %d blobs, %d rootfs directories, %d temporary entries%n",
                result.cacheRecords(), result.blobs(), result.rootfsDirs(), result.tmpEntries());
        out.printf("Total reclaimed space: %s%n", ProgressPrinter.size(result.freedBytes()));
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
        Matcher m = Pattern.compile("((\\d+)d)?((\\d+)h)?((\\d+)m)?((\\d+)s)?").matcher(text.trim());
        if (text.isBlank() || !m.matches()) {
            throw new ParameterException(spec.commandLine(), "invalid duration " + text + ": e.g. 24h, 90m, 7d, 1h30m");
        }
        Duration d = Duration.ZERO;
        if (m.group(2) != null) {
            d = d.plusDays(Long.parseLong(m.group(2)));
        }
        if (m.group(4) != null) {
            d = d.plusHours(Long.parseLong(m.group(4)));
        }
        if (m.group(6) != null) {
            d = d.plusMinutes(Long.parseLong(m.group(6)));
        }
        if (m.group(8) != null) {
            d = d.plusSeconds(Long.parseLong(m.group(8)));
        }
        return d;
    }

    /** Sizes as docker writes them: bytes, or a number with kB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB (1024). */
    long parseSize(String text) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)").matcher(text.trim());
        if (!m.matches()) {
            throw new ParameterException(spec.commandLine(), "invalid size " + text + ": e.g. 10GB, 512MB, 1073741824");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        double factor;
        switch (unit) {
            case "": case "b": factor = 1; break;
            case "k": case "kb": factor = 1e3; break;
            case "m": case "mb": factor = 1e6; break;
            case "g": case "gb": factor = 1e9; break;
            case "t": case "tb": factor = 1e12; break;
            case "kib": factor = 1024; break;
            case "mib": factor = 1024 * 1024; break;
            case "gib": factor = 1024.0 * 1024 * 1024; break;
            case "tib": factor = 1024.0 * 1024 * 1024 * 1024; break;
            default:
                throw new ParameterException(spec.commandLine(), "invalid size unit in " + text + ": B, kB, MB, GB, TB, KiB, MiB, GiB, TiB");
        }
        return (long) (value * factor);
    }
}
