package dev.jbuild.progress;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.image.Descriptor;
import dev.jbuild.registry.RegistryListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the registry client's blob events into progress events of the build's listener, at most one
 * per blob every 100 ms (the client reports every buffer it moves).
 */
public final class TransferProgress implements RegistryListener {

    private final BuildListener listener;
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Map<String, Boolean> uploads = new ConcurrentHashMap<>();
    private final Map<String, Long> reported = new ConcurrentHashMap<>();

    public TransferProgress(BuildListener listener) {
        this.listener = listener;
    }

    @Override
    public void blobStarted(Descriptor blob, boolean upload) {
        started.put(blob.digest().toString(), System.nanoTime());
        uploads.put(blob.digest().toString(), upload);
        reported.put(blob.digest().toString(), System.nanoTime());
        listener.progress(null, upload ? BuildListener.Work.PUSH : BuildListener.Work.PULL, blob.digest().toString(), 0,
                blob.size());
    }

    @Override
    public void blobProgress(Descriptor blob, long bytes) {
        long now = System.nanoTime();
        Long last = reported.get(blob.digest().toString());
        if (last != null && now - last < 100_000_000L && bytes < blob.size()) {
            return;
        }
        reported.put(blob.digest().toString(), now);
        boolean upload = uploads.getOrDefault(blob.digest().toString(), false);
        listener.progress(null, upload ? BuildListener.Work.PUSH : BuildListener.Work.PULL, blob.digest().toString(), bytes,
                blob.size());
    }

    @Override
    public void blobDone(Descriptor blob, Outcome outcome) {
        String digest = blob.digest().toString();
        Long start = started.remove(digest);
        boolean upload = uploads.getOrDefault(digest, outcome == Outcome.UPLOADED || outcome == Outcome.MOUNTED);
        uploads.remove(digest);
        reported.remove(digest);
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
