package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import java.time.Duration;

/**
 * Progress of registry transfers, for a progress display or logs. Methods may be called from
 * several threads at once and must return quickly; the defaults do nothing.
 */
public interface RegistryListener {

    RegistryListener NONE = new RegistryListener() {};

    /** A blob transfer starts (download or upload). */
    default void blobStarted(Descriptor blob, boolean upload) {}

    /** {@code bytes} of {@code blob} have been transferred so far. */
    default void blobProgress(Descriptor blob, long bytes) {}

    /** The blob is done: stored, uploaded, found present ({@code skipped}) or mounted. */
    default void blobDone(Descriptor blob, Outcome outcome) {}

    /**
     * An operation failed transiently and is tried again after {@code delay}: {@code attempt} is
     * the number of the attempt about to start (2 for the first retry), so that it agrees with the
     * "gave up after N attempts" of a final failure; {@code reason} says what failed, without the
     * operation's name (e.g. {@code GET https://host/v2/: connection refused}).
     */
    default void retrying(String operation, int attempt, Duration delay, String reason) {}

    /**
     * Something the user should know that does not stop the operation: a credential helper that
     * is not installed, a proxy variable that is ignored. One call per event, one line of text.
     */
    default void warning(String message) {}

    /** How a blob transfer ended. */
    enum Outcome {
        DOWNLOADED,
        ALREADY_PRESENT,
        UPLOADED,
        MOUNTED
    }
}
