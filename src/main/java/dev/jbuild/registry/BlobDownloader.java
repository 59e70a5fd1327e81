package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.Digester;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one blob into a {@link BlobSink}, verifying size and digest as the bytes stream by.
 * When the connection breaks part-way, the next attempt asks for the rest with a {@code Range}
 * header and carries on where it stopped if the registry (or the storage it redirects to)
 * answers 206; otherwise it starts over with a fresh target. The target is committed only after
 * the whole content matched; on any failure it is closed, which discards it.
 */
final class BlobDownloader {

    private static final Logger LOG = LoggerFactory.getLogger(BlobDownloader.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private final RegistryHttp http;
    private final RegistryListener listener;

    BlobDownloader(RegistryHttp http) {
        this.http = http;
        this.listener = http.options().listener();
    }

    /** The state kept across attempts: what has been received so far. */
    private static final class Partial {
        BlobSink.Target target;
        Digester digester;
        long received;
        long highWater;

        void reset() throws IOException {
            BlobSink.Target t = target;
            target = null;
            digester = null;
            received = 0;
            if (t != null) {
                t.close();
            }
        }
    }

    void fetch(String registry, String repository, Descriptor blob, BlobSink sink) throws IOException {
        String what = "pulling blob " + blob.digest() + " from " + registry + "/" + repository;
        boolean present;
        try {
            present = sink.has(blob);
        } catch (IOException e) {
            throw new LocalIOException(e);
        }
        if (present) {
            listener.blobDone(blob, RegistryListener.Outcome.ALREADY_PRESENT);
            return;
        }
        listener.blobStarted(blob, false);
        Partial partial = new Partial();
        try {
            http.retry().run(what, progress -> {
                attempt(registry, repository, blob, sink, partial, progress, what);
                return null;
            });
        } finally {
            partial.reset();
        }
        listener.blobDone(blob, RegistryListener.Outcome.DOWNLOADED);
    }

    private void attempt(String registry, String repository, Descriptor blob, BlobSink sink, Partial p,
            RetryPolicy.Progress progress, String what) throws IOException {
        if (p.target == null) {
            try {
                p.target = sink.create(blob);
            } catch (IOException e) {
                throw new LocalIOException(e);
            }
            p.digester = Digester.of(blob.digest().algorithm());
            p.received = 0;
        }
        Map<String, String> headers = new HashMap<>();
        if (p.received > 0) {
            headers.put("Range", "bytes=" + p.received + "-");
        }
        String path = "/v2/" + repository + "/blobs/" + blob.digest();
        try (Response r = http.sendForContent(registry, "GET", path, headers, Scope.pull(repository), what)) {
            int status = r.status();
            if (status == 206 && p.received > 0) {
                long start = rangeStart(r);
                if (start != p.received) {
                    LOG.debug("{}: registry resumed at {} instead of {}; starting over", what, start, p.received);
                    p.reset();
                    throw new IOException("the registry resumed " + blob.digest() + " at the wrong offset");
                }
                LOG.debug("{}: resuming at byte {}", what, p.received);
            } else if (status == 200) {
                if (p.received > 0) {
                    LOG.debug("{}: no range support, starting over", what);
                    p.reset();
                    p.target = createTarget(sink, blob);
                    p.digester = Digester.of(blob.digest().algorithm());
                }
                long length = r.contentLength().orElse(-1);
                if (length >= 0 && length != blob.size()) {
                    throw DigestMismatchException.size(blob.digest(), blob.size(), length);
                }
            } else if (status == 416 && p.received > 0) {
                p.reset();
                throw new IOException("the registry refused to resume " + blob.digest() + "; starting over");
            } else {
                throw r.failure(what);
            }
            // The blob's own size bounds the body's time, also when the server sends no length.
            http.transport().limitBody(r, blob.size() - p.received);
            copy(r.body(), blob, p, progress);
        }
        if (p.received < blob.size()) {
            throw new IOException("connection closed after " + p.received + " of " + blob.size() + " bytes of " + blob.digest());
        }
        Digest actual = p.digester.digest();
        if (!actual.equals(blob.digest())) {
            p.reset();
            throw new DigestMismatchException(what + ": content digest mismatch: expected " + blob.digest() + ", got " + actual,
                    blob.digest(), actual);
        }
        try {
            p.target.commit();
        } catch (DigestMismatchException e) {
            throw e;
        } catch (IOException e) {
            throw new LocalIOException(e);
        }
        p.target = null; // committed: nothing to discard
    }

    private static BlobSink.Target createTarget(BlobSink sink, Descriptor blob) throws IOException {
        try {
            return sink.create(blob);
        } catch (IOException e) {
            throw new LocalIOException(e);
        }
    }

    private void copy(InputStream in, Descriptor blob, Partial p, RetryPolicy.Progress progress) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            int n = in.read(buffer);
            if (n < 0) {
                return;
            }
            if (p.received + n > blob.size()) {
                p.reset();
                throw DigestMismatchException.size(blob.digest(), blob.size(), blob.size() + 1);
            }
            p.digester.update(buffer, 0, n);
            try {
                p.target.stream().write(buffer, 0, n);
            } catch (IOException e) {
                throw new LocalIOException(e);
            }
            p.received += n;
            if (p.received > p.highWater) {
                p.highWater = p.received;
                progress.advanced();
            }
            listener.blobProgress(blob, p.received);
        }
    }

    private static long rangeStart(Response r) {
        String cr = r.header("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(cr.trim());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }
}
