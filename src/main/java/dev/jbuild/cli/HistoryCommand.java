package dev.jbuild.cli;

import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageName;
import dev.jbuild.progress.ProgressText;
import dev.jbuild.store.BuildRecord;
import dev.jbuild.store.BuildRecords;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild history}: the builds recorded in the store ({@link BuildRecords}), newest first, as a
 * table or as the stored JSON lines; {@code jbuild history ID} shows one build whole.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Show the builds recorded in the local store: who built what, from what, and how it ended.",
            "With ID (or a unique prefix of one), that build's whole record."})
final class HistoryCommand implements Runnable {

    enum Format { table, json }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Show this build's whole record.")
    String id;

    @Option(names = {"-n", "--last"}, paramLabel = "N", description = "Show only the newest N builds.")
    Integer last;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default) or json (the stored lines, one JSON object per line).")
    Format format;

    @Override
    public void run() {
        if (last != null && last < 0) {
            throw new ParameterException(spec.commandLine(), "-n must not be negative");
        }
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        PrintWriter out = spec.commandLine().getOut();
        BuildRecords.Reading reading;
        try {
            reading = store.buildRecords().read();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the build record: " + e.getMessage());
        }
        if (reading.unreadable() > 0) {
            // Once per command, not per line: the cause is one killed build or one damage.
            PrintWriter err = spec.commandLine().getErr();
            err.println("warning: skipped " + reading.unreadable() + (reading.unreadable() == 1 ? " line" : " lines") + " of "
                    + store.buildRecords().file() + " that could not be read (cut off by a killed build, or damaged)");
            err.flush();
        }
        List<BuildRecords.Entry> newestFirst = new ArrayList<>(reading.entries());
        Collections.reverse(newestFirst);
        if (id != null) {
            BuildRecords.Entry entry = find(newestFirst, id);
            if (format == Format.json) {
                out.println(entry.line());
            } else {
                show(entry.record(), out);
            }
        } else {
            List<BuildRecords.Entry> shown = last == null ? newestFirst : newestFirst.subList(0, Math.min(last, newestFirst.size()));
            if (format == Format.json) {
                shown.forEach(e -> out.println(e.line()));
            } else {
                table(shown, out);
            }
        }
        out.flush();
    }

    private static BuildRecords.Entry find(List<BuildRecords.Entry> entries, String id) {
        List<BuildRecords.Entry> matches = entries.stream().filter(e -> e.record().id().equals(id)).toList();
        if (matches.isEmpty()) {
            matches = entries.stream().filter(e -> e.record().id().startsWith(id)).toList();
        }
        if (matches.isEmpty()) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: no build " + id + " in the build record");
        }
        if (matches.size() > 1) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + id + " names " + matches.size() + " builds: give more of the ID");
        }
        return matches.get(0);
    }

    /** Columns as wide as their widest cell plus three spaces, as {@code jbuild images} lays them out. */
    private static void table(List<BuildRecords.Entry> entries, PrintWriter out) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("BUILD ID", "STARTED", "USER", "TAGS", "RESULT", "STATUS", "DURATION"));
        for (BuildRecords.Entry entry : entries) {
            BuildRecord r = entry.record();
            List<String> tags = r.invocation().tags().stream().map(HistoryCommand::familiar).toList();
            Digest result = r.outcome().manifest();
            rows.add(List.of(r.id(), r.started().truncatedTo(ChronoUnit.SECONDS).toString(), user(r),
                    tags.isEmpty() ? "<none>" : String.join(",", tags), result == null ? "-" : result.hex().substring(0, 12),
                    status(r.outcome()), ProgressText.seconds(r.duration())));
        }
        TextTable.print(rows, out);
    }

    /** One build, a field a line. */
    private static void show(BuildRecord r, PrintWriter out) {
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"ID", r.id()});
        fields.add(new String[] {"Started", r.started().toString()});
        fields.add(new String[] {"Finished", r.finished().toString()});
        fields.add(new String[] {"Duration", ProgressText.seconds(r.duration())});
        fields.add(new String[] {"User", user(r) + (r.uid() != null ? " (uid " + r.uid() + ")" : "")});
        fields.add(new String[] {"Host", orDash(r.host())});
        BuildRecord.Invocation invocation = r.invocation();
        fields.add(new String[] {"Tags", joined(invocation.tags())});
        fields.add(new String[] {"Target", orDash(invocation.target())});
        fields.add(new String[] {"Platforms", joined(invocation.platforms())});
        fields.add(new String[] {"Build args", joined(invocation.buildArgs())});
        fields.add(new String[] {"Secrets", joined(invocation.secrets())});
        fields.add(new String[] {"Dockerfile", orDash(invocation.dockerfile())});
        fields.add(new String[] {"Context", orDash(r.context())});
        if (r.materials().isEmpty()) {
            fields.add(new String[] {"Materials", "-"});
        }
        for (BuildRecord.Material material : r.materials()) {
            StringBuilder digests = new StringBuilder();
            new TreeMap<>(material.digest()).forEach((algorithm, hex) -> digests.append(' ').append(algorithm).append(':').append(hex));
            fields.add(new String[] {"Materials", material.uri() + digests});
        }
        BuildRecord.Outcome outcome = r.outcome();
        fields.add(new String[] {"Manifest", orDash(outcome.manifest())});
        fields.add(new String[] {"Config", orDash(outcome.config())});
        fields.add(new String[] {"Pushed", joined(outcome.pushed())});
        fields.add(new String[] {"Steps", outcome.steps() + " (" + outcome.cached() + " cached)"});
        fields.add(new String[] {"Status", status(outcome) + (outcome.error() != null ? ": " + outcome.error() : "")});
        String previous = null;
        for (String[] field : fields) {
            // Repeated labels (several materials) are shown once, the values aligned below.
            String label = field[0].equals(previous) ? "" : field[0] + ":";
            previous = field[0];
            out.println(label + " ".repeat(13 - label.length()) + field[1]);
        }
    }

    private static String status(BuildRecord.Outcome outcome) {
        return outcome.exitCode() == 0 ? "ok" : "exit " + outcome.exitCode();
    }

    private static String user(BuildRecord r) {
        return r.user() != null ? r.user() : r.uid() != null ? "uid " + r.uid() : "-";
    }

    private static String familiar(String tag) {
        try {
            return ImageName.parse(tag).familiar();
        } catch (IllegalArgumentException e) {
            return tag;
        }
    }

    private static String joined(List<String> values) {
        return values.isEmpty() ? "-" : String.join(", ", values);
    }

    private static String orDash(Object value) {
        return value == null ? "-" : value.toString();
    }
}
