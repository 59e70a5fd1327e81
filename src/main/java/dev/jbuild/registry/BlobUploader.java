package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Digester;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads one blob the way the distribution spec describes: {@code HEAD} first and nothing more
 * when the registry has it; a cross-repository mount when the blob is known to be in another
 * repository of the same registry; otherwise an upload session ({@code POST}) completed with one
 * {@code PUT} carrying the whole blob (small blobs) or with {@code PATCH} chunks
 * ({@code Content-Range}, following the {@code Location} the registry returns each time,
 * honouring its {@code OCI-Chunk-Min-Length}) and a final {@code PUT ?digest=}. A failed attempt
 * abandons its session and the next one starts a new session from the first byte.
 */
final class BlobUploader {

    private static final Logger LOG = LoggerFactory.getLogger(BlobUploader.class);
    private static final Map<String, String> OCTET_STREAM = Map.of("Content-Type", "application/octet-stream");

    private final RegistryHttp http;
    private final RegistryListener listener;
    private final long monolithicLimit;
    private final long chunkSize;

    BlobUploader(RegistryHttp http) {
        this.http = http;
        this.listener = http.options().listener();
        this.monolithicLimit = http.options().monolithicLimit();
        this.chunkSize = http.options().chunkSize();
    }

    /** An upload session: where to send the next request, and the registry's minimum chunk. */
    private record Session(URI location, long minChunk) {}

    /**
     * Makes sure {@code blob} is in {@code repository}. {@code mountFrom} is another repository
     * of the same registry that has it, or null. {@code uploadedBytes} counts bytes sent.
     */
    RegistryListener.Outcome push(String registry, String repository, Descriptor blob, BlobSource source, String mountFrom,
            AtomicLong uploadedBytes) throws IOException {
        String what = "pushing blob " + blob.digest() + " to " + registry + "/" + repository;
        Scope scope = Scope.push(repository);
        if (mountFrom != null) {
            scope = scope.and(Scope.pull(mountFrom));
        }
        Scope s = scope;
        if (exists(registry, repository, blob.digest(), blob.size(), s, what)) {
            listener.blobDone(blob, RegistryListener.Outcome.ALREADY_PRESENT);
            return RegistryListener.Outcome.ALREADY_PRESENT;
        }
        listener.blobStarted(blob, true);
        Session[] fromMount = new Session[1];
        if (mountFrom != null) {
            boolean mounted = http.retry().run(what + " (mount from " + mountFrom + ")", progress -> {
                String path = "/v2/" + repository + "/blobs/uploads/?mount=" + enc(blob.digest().toString()) + "&from=" + enc(mountFrom);
                try (Response r = http.send(registry, "POST", path, Map.of(), HttpRequest.BodyPublishers::noBody, s, what)) {
                    if (r.status() == 201) {
                        return true;
                    }
                    if (r.status() == 202) {
                        fromMount[0] = session(r, what);
                        return false;
                    }
                    if (RetryPolicy.isRetryableStatus(r.status())) {
                        throw r.failure(what);
                    }
                    LOG.debug("{}: mount from {} refused ({}); uploading", what, mountFrom, r.status());
                    return false;
                }
            });
            if (mounted) {
                LOG.debug("mounted {} from {}", blob.digest(), mountFrom);
                listener.blobDone(blob, RegistryListener.Outcome.MOUNTED);
                return RegistryListener.Outcome.MOUNTED;
            }
        }
        http.retry().run(what, progress -> {
            Session session = fromMount[0];
            fromMount[0] = null;
            if (session == null) {
                session = start(registry, repository, s, what);
            }
            if (blob.size() <= monolithicLimit) {
                putWhole(registry, session, blob, source, s, what, uploadedBytes);
            } else {
                putChunked(registry, session, blob, source, s, what, uploadedBytes);
            }
            return null;
        });
        listener.blobDone(blob, RegistryListener.Outcome.UPLOADED);
        return RegistryListener.Outcome.UPLOADED;
    }

    /**
     * Whether the registry has the blob. A 200 counts only when what it says of the blob agrees:
     * its {@code Content-Length} (when given) is {@code size} (-1: unknown) and its
     * {@code Docker-Content-Digest} (when given) is {@code digest}. Anything else that answers 200
     * to any path (a catch-all page, a misrouted proxy) must not make a push skip the upload;
     * uploading a blob that was there after all costs only time.
     */
    boolean exists(String registry, String repository, Digest digest, long size, Scope scope, String what) throws IOException {
        return http.retry().run(what + " (checking for it)", progress -> {
            try (Response r = http.send(registry, "HEAD", "/v2/" + repository + "/blobs/" + digest, Map.of(), null, scope, what)) {
                if (r.status() == 200) {
                    OptionalLong length = r.contentLength();
                    String reported = r.header("Docker-Content-Digest").orElse("").trim();
                    boolean sizeAgrees = size < 0 || length.isEmpty() || length.getAsLong() == size;
                    boolean digestAgrees = reported.isEmpty() || reported.equals(digest.toString());
                    if (!sizeAgrees || !digestAgrees) {
                        LOG.debug("{}: HEAD answered 200 with Content-Length {} and Docker-Content-Digest '{}'; not counted as there",
                                what, length, reported);
                    }
                    return sizeAgrees && digestAgrees;
                }
                if (r.status() == 404) {
                    return false;
                }
                throw r.failure(what);
            }
        });
    }

    private Session start(String registry, String repository, Scope scope, String what) throws IOException {
        try (Response r = http.send(registry, "POST", "/v2/" + repository + "/blobs/uploads/", Map.of(),
                HttpRequest.BodyPublishers::noBody, scope, what)) {
            if (r.status() != 202) {
                throw r.failure(what);
            }
            return session(r, what);
        }
    }

    private static Session session(Response r, String what) throws IOException {
        long min = 0;
        String header = r.header("OCI-Chunk-Min-Length").orElse(null);
        if (header != null) {
            try {
                min = Long.parseLong(header.trim());
            } catch (NumberFormatException e) {
                LOG.debug("ignoring OCI-Chunk-Min-Length '{}'", header);
            }
        }
        return new Session(r.location(what), min);
    }

    private void putWhole(String registry, Session session, Descriptor blob, BlobSource source, Scope scope, String what,
            AtomicLong uploadedBytes) throws IOException {
        Cursor cursor = new Cursor(source, blob);
        try {
            URI put = withDigest(session.location(), blob.digest());
            try (Response r = http.send(registry, "PUT", put.toString(), OCTET_STREAM, () -> cursor.publisher(0, blob.size()),
                    scope, what)) {
                finish(r, blob, source, what);
            }
            uploadedBytes.addAndGet(blob.size());
        } finally {
            cursor.close();
        }
    }

    private void putChunked(String registry, Session session, Descriptor blob, BlobSource source, Scope scope, String what,
            AtomicLong uploadedBytes) throws IOException {
        long chunk = Math.max(chunkSize, session.minChunk());
        URI location = session.location();
        Cursor cursor = new Cursor(source, blob);
        try {
            long offset = 0;
            while (offset < blob.size()) {
                long start = offset;
                long length = Math.min(chunk, blob.size() - offset);
                Map<String, String> headers = Map.of(
                        "Content-Type", "application/octet-stream",
                        "Content-Range", start + "-" + (start + length - 1));
                try (Response r = http.send(registry, "PATCH", location.toString(), headers, () -> cursor.publisher(start, length),
                        scope, what)) {
                    if (r.status() != 202) {
                        throw r.failure(what + " (chunk at byte " + start + ")");
                    }
                    long end = rangeEnd(r);
                    if (end >= 0 && end != start + length - 1) {
                        throw new IOException("the registry holds " + (end + 1) + " bytes of " + blob.digest() + " after a chunk ending at "
                                + (start + length) + "; restarting the upload");
                    }
                    location = r.location(what);
                }
                offset += length;
                uploadedBytes.addAndGet(length);
                listener.blobProgress(blob, offset);
            }
            try (Response r = http.send(registry, "PUT", withDigest(location, blob.digest()).toString(), Map.of(),
                    HttpRequest.BodyPublishers::noBody, scope, what)) {
                finish(r, blob, source, what);
            }
        } finally {
            cursor.close();
        }
    }

    private static void finish(Response r, Descriptor blob, BlobSource source, String what) throws IOException {
        if (r.status() != 201) {
            RegistryException failure = r.failure(what);
            if (failure.hasError("DIGEST_INVALID")) {
                checkContent(blob, source, failure);
            }
            throw failure;
        }
        String reported = r.header("Docker-Content-Digest").orElse(null);
        if (reported != null && Digest.isValid(reported.trim()) && !Digest.parse(reported.trim()).equals(blob.digest())) {
            throw new RegistryException(what + ": the registry stored it as " + reported.trim());
        }
    }

    /**
     * After the registry found that the bytes sent do not have the blob's digest: when the
     * content here does not either, the damage is local (a same-size corruption, which the size
     * check before the push cannot see) and is said so, never retried; otherwise the registry's
     * failure stands (the bytes changed on the way).
     */
    private static void checkContent(Descriptor blob, BlobSource source, RegistryException failure) throws IOException {
        Digest actual;
        try (InputStream in = source.open(blob)) {
            Digester digester = Digester.of(blob.digest().algorithm());
            in.transferTo(digester.outputStream());
            actual = digester.digest();
        } catch (IOException e) {
            failure.addSuppressed(e);
            return;
        }
        if (!actual.equals(blob.digest())) {
            LocalIOException damaged = new LocalIOException("blob " + blob.digest() + " in " + source.where()
                    + " is damaged: its content has the digest " + actual + " (the registry answered DIGEST_INVALID)");
            damaged.addSuppressed(failure);
            throw damaged;
        }
    }

    private static long rangeEnd(Response r) {
        String range = r.header("Range").orElse("").trim();
        if (range.startsWith("bytes=")) {
            range = range.substring("bytes=".length());
        }
        int dash = range.indexOf('-');
        if (dash < 0) {
            return -1;
        }
        try {
            return Long.parseLong(range.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static URI withDigest(URI location, Digest digest) {
        String s = location.toString();
        return URI.create(s + (location.getRawQuery() == null ? "?" : "&") + "digest=" + enc(digest.toString()));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Reads the content sequentially across chunks from one open stream. A request body asked
     * for again (a resend after a 401 or redirect) reopens the content and skips to the offset.
     */
    private final class Cursor {
        private final BlobSource source;
        private final Descriptor blob;
        private InputStream in;
        private long position;

        Cursor(BlobSource source, Descriptor blob) throws LocalIOException {
            this.source = source;
            this.blob = blob;
            try {
                this.in = source.open(blob); // fail here, clearly, when the content is missing
            } catch (IOException e) {
                throw new LocalIOException(e);
            }
        }

        HttpRequest.BodyPublisher publisher(long offset, long length) {
            HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> slice(offset, length));
            return HttpRequest.BodyPublishers.fromPublisher(stream, length);
        }

        private synchronized InputStream slice(long offset, long length) {
            try {
                if (in == null || position != offset) {
                    close();
                    in = source.open(blob);
                    in.skipNBytes(offset);
                    position = offset;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(new LocalIOException(e));
            }
            return new InputStream() {
                private long left = length;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n;
                    synchronized (Cursor.this) {
                        n = in.read(b, off, (int) Math.min(len, left));
                        if (n > 0) {
                            position += n;
                        }
                    }
                    if (n < 0) {
                        throw new LocalIOException("blob " + blob.digest() + " in " + source.where()
                                + " is damaged: it ends before the manifest's " + blob.size() + " bytes");
                    }
                    left -= n;
                    return n;
                }

                // The shared stream stays open for the next chunk.
                @Override
                public void close() {}
            };
        }

        synchronized void close() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // Read-only content; nothing to lose.
                }
                in = null;
            }
        }
    }
}
