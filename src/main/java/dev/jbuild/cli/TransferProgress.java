package dev.jbuild.cli;

import dev.jbuild.build.BuildListener;
import dev.jbuild.image.Descriptor;
import dev.jbuild.registry.RegistryListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Turns the registry client's blob events into progress events of the build's listener. */
final class TransferProgress implements RegistryListener {

    private final BuildListener listener;
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Map<String, Boolean> uploads = new ConcurrentHashMap<>();

    TransferProgress(BuildListener listener) {
        this.listener = listener;
    }

    @Override
    public void blobStarted(Descriptor blob, boolean upload) {
        started.put(blob.digest().toString(), System.nanoTime());
        uploads.put(blob.digest().toString(), upload);
        listener.transferProgress(blob.digest().toString(), upload, 0, blob.size());
    }

    @Override
    public void blobProgress(Descriptor blob, long bytes) {
        listener.transferProgress(blob.digest().toString(), uploads.getOrDefault(blob.digest().toString(), false), bytes, blob.size());
    }

    @Override
    public void blobDone(Descriptor blob, Outcome outcome) {
        String digest = blob.digest().toString();
        Long start = started.remove(digest);
        boolean upload = uploads.getOrDefault(digest, outcome == Outcome.UPLOADED || outcome == Outcome.MOUNTED);
        uploads.remove(digest);
        Duration elapsed = start == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - start);
        String how = switch (outcome) {
            case DOWNLOADED -> "pulled";
            case UPLOADED -> "pushed";
            case MOUNTED -> "mounted";
            case ALREADY_PRESENT -> "already there";
        };
        listener.transferDone(digest, upload, blob.size(), how, elapsed);
    }

    @Override
    public void retrying(String operation, int attempt, Duration delay, String reason) {
        listener.warning(RegistryWarnings.retryLine(operation, attempt, delay, reason));
    }

    @Override
    public void warning(String message) {
        listener.warning(message);
    }
}
