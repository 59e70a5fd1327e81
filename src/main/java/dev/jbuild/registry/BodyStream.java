package dev.jbuild.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an input stream that gives up when the server sends nothing for the read
 * timeout, or when the whole body takes longer than its {@link #deadline}. The JDK's own
 * {@code ofInputStream} blocks forever on a stalled connection, and the request timeout only
 * covers the wait for headers. One buffer list is requested at a time, so
 * memory stays flat however large the body is. Closing before the end cancels the exchange.
 */
final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<BodyStream> {

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Duration readTimeout;
    private final String what;
    private volatile Flow.Subscription subscription;
    /** When the whole body must have arrived (System.nanoTime), and why; see {@link #deadline}. */
    private long deadline = Long.MAX_VALUE;
    private long started;
    private String deadlineReason;
    private long delivered;
    private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
    private ByteBuffer current;
    private boolean finished;
    private boolean closed;

    BodyStream(Duration readTimeout, String what) {
        this.readTimeout = readTimeout;
        this.what = what;
    }

    static HttpResponse.BodyHandler<BodyStream> handler(Duration readTimeout, String what) {
        return info -> new BodyStream(readTimeout, what);
    }

    @Override
    public CompletionStage<BodyStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(throwable);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (buffers.hasNext()) {
                current = buffers.next();
                continue;
            }
            if (finished) {
                return -1;
            }
            Object next;
            long wait = readTimeout.toNanos();
            if (deadline != Long.MAX_VALUE) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw tooSlow();
                }
                wait = Math.min(wait, left);
            }
            try {
                next = queue.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new InterruptedIOException("interrupted while " + what);
            }
            if (next == null && deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
                throw tooSlow();
            }
            if (next == null) {
                cancel();
                throw new TransferStalledException("no data from the registry for " + readTimeout.toMillis() + " ms while " + what);
            }
            if (next == END) {
                finished = true;
                return -1;
            }
            if (next instanceof Throwable t) {
                finished = true;
                if (t instanceof IOException io) {
                    throw new IOException(io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage(), io);
                }
                throw new IOException(t.toString(), t);
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) next;
            buffers = list.iterator();
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1);
            }
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        delivered += n;
        return n;
    }

    /**
     * Bounds the time the whole body may take: from now, {@code allowed}; {@code reason} says how
     * that was computed and how to change it. A server that sends a byte now and then gets past
     * the read timeout, never past this. Replaces an earlier bound.
     */
    void deadline(Duration allowed, String reason) {
        started = System.nanoTime();
        deadline = started + allowed.toNanos();
        deadlineReason = reason;
    }

    private TransferTooSlowException tooSlow() {
        cancel();
        long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);
        return new TransferTooSlowException(what + " took too long: " + delivered + " bytes of the response arrived in "
                + seconds + " s; " + deadlineReason);
    }

    /**
     * Reads at most {@code limit} bytes; more is an error (a manifest or error body that is too
     * big), and a permanent one: the same document will be as big on the next attempt.
     */
    byte[] readAtMost(int limit) throws IOException {
        byte[] all = readNBytes(limit + 1);
        if (all.length > limit) {
            close();
            throw new LimitExceededException(what + ": the response is larger than the limit of " + limit + " bytes");
        }
        return all;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (!finished) {
                cancel();
            }
        }
    }

    private void cancel() {
        finished = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
