package dev.jbuild.api;

import dev.jbuild.attestation.Invoker;
import dev.jbuild.attestation.Material;

import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.image.Digest;
import dev.jbuild.store.BuildRecord;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The build's line in the store's build record ({@code jbuild history}): started once the Dockerfile
 * is read, written once when the build ends, in success or failure. The record never decides the
 * build's outcome: a record that cannot be written (a full disk, a store that cannot be opened) is a
 * warning, since the image matters more than the note that it was made.
 */
final class BuildRecorder {

    private final String id;
    private final Instant started;
    private final Digest dockerfile;
    /** What the engine returned, once it did: a failure after it (--load, say) still names the image. */
    private BuildResult result;

    private BuildRecorder(String id, Instant started, Digest dockerfile) {
        this.id = id;
        this.started = started;
        this.dockerfile = dockerfile;
    }

    /** A build starting now, from the Dockerfile whose bytes have {@code dockerfile} as digest. */
    static BuildRecorder start(Digest dockerfile) {
        // Random, not from the clock: two builds may start in the same millisecond on one store.
        String id = String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL);
        return new BuildRecorder(id, Instant.now().truncatedTo(ChronoUnit.MILLIS), dockerfile);
    }

    String id() {
        return id;
    }

    void built(BuildResult result) {
        this.result = result;
    }

    /**
     * Appends the record, {@code exitCode} 0 for success, else with the first line of the failure's
     * message. On Ctrl-C the thread is interrupted, which would close the record file's channel under
     * the write: the flag is cleared for the write (best effort) and set again after it. The engine may
     * have cleared it already; then the failure's causes tell (the process exits with 130 either way,
     * from the signal).
     *
     * @param flags   the invocation, computed now: building it may meet the flag that made the build fail
     * @param failure what ended the build, or null for success
     */
    void write(Supplier<Store> stores, Supplier<BuildRecord.Invocation> flags, int exitCode, Throwable failure,
            String error, Report report) {
        boolean interrupted = Thread.interrupted();
        try {
            Instant finished = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            int code = exitCode != 0 && (interrupted || byInterrupt(failure)) ? Problem.Kind.INTERRUPTED.exitCode : exitCode;
            BuildRecord.Outcome outcome = new BuildRecord.Outcome(code, error == null ? null : recordedError(error),
                    result == null ? null : result.manifest().digest(), result == null ? null : result.config(),
                    result == null ? List.of() : result.pushed(), result == null ? 0 : result.steps(),
                    result == null ? 0 : result.cached());
            BuildRecord.Invocation invocation = flags.get();
            Long uid = uid();
            String user = Invoker.userName(uid == null ? -1 : uid);
            BuildRecord record = new BuildRecord(id, started, finished, user.isEmpty() ? null : user, uid, host(),
                    new BuildRecord.Invocation(invocation.tags(), invocation.target(), invocation.platforms(),
                            invocation.buildArgs(), invocation.secrets(), dockerfile),
                    result == null ? null : result.contextDigest(), materials(), outcome);
            Store store;
            try {
                store = stores.get();
            } catch (Problem e) {
                // No store to write to (the build's own error says why, if it needed one).
                return;
            }
            store.buildRecords().append(record);
        } catch (IOException e) {
            report.warning("the build was not recorded (jbuild history): " + e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The engine's materials in the record's own type: the record's format is the store's, kept apart from
     * the attestations' model so that neither package depends on the other.
     */
    private List<BuildRecord.Material> materials() {
        if (result == null) {
            return List.of();
        }
        return result.materials().stream().map(m -> new BuildRecord.Material(m.uri(), m.digest())).toList();
    }

    /** Whether an interrupt (Ctrl-C, SIGTERM) is among the causes of {@code failure}. */
    static boolean byInterrupt(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException || t instanceof ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the record keeps of an error: its first line, with no URL's user name and password (a failed
     * {@code ADD https://user:token@host/…} names its URL), by the rule the materials follow.
     */
    static String recordedError(String message) {
        return Material.withoutCredentialsIn(firstLine(message));
    }

    /** The message's first line without the {@code error: } every CLI failure starts with. */
    static String firstLine(String message) {
        String line = message.lines().findFirst().orElse("").strip();
        return line.startsWith("error: ") ? line.substring("error: ".length()) : line;
    }

    /** The process's real uid, from {@code /proc/self/status}; null where there is no such file. */
    static Long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no /proc: the name alone.
        }
        return null;
    }

    /** The kernel's host name (what {@code hostname} prints, the UTS namespace's); no DNS lookup. */
    static String host() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            return name.isEmpty() ? null : name;
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isEmpty() ? null : env;
        }
    }
}
