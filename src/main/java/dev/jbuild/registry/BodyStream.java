package dev.jbuild.registry;

import java.io.IOException;
import java.io.InputStream;
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
 * timeout. The JDK's own {@code ofInputStream} blocks forever on a stalled connection, and the
 * request timeout only covers the wait for headers. One buffer list is requested at a time, so
 * memory stays flat however large the body is. Closing before the end cancels the exchange.
 */
final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<BodyStream> {

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Duration readTimeout;
    private final String what;
    private volatile Flow.Subscription subscription;
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
            try {
                next = queue.poll(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new java.io.InterruptedIOException("interrupted while " + what);
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
        return n;
    }

    /** Reads at most {@code limit} bytes; more is an error (a manifest or error body that is too big). */
    byte[] readAtMost(int limit) throws IOException {
        byte[] all = readNBytes(limit + 1);
        if (all.length > limit) {
            throw new IOException(what + " is larger than " + limit + " bytes");
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
