package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final List<Duration> slept = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();

    private RetryPolicy policy(int attempts, Duration maxTotal) {
        return new RetryPolicy(attempts, Duration.ofMillis(100), Duration.ofSeconds(2), maxTotal, RegistryListener.NONE,
                d -> {
                    slept.add(d);
                    clock.addAndGet(d.toNanos());
                }, clock::get);
    }

    private static RegistryException status(int code, Duration retryAfter) {
        return new RegistryException("op failed: HTTP " + code, code, List.of(), retryAfter, null);
    }

    @Test
    void retriesTransientFailuresWithGrowingJitteredDelays() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String result = policy(5, Duration.ofMinutes(1)).run("op", p -> {
            if (calls.incrementAndGet() < 5) {
                throw status(503, null);
            }
            return "done";
        });
        assertEquals("done", result);
        assertEquals(4, slept.size());
        long[] nominal = {100, 200, 400, 800};
        for (int i = 0; i < 4; i++) {
            long ms = slept.get(i).toMillis();
            assertTrue(ms >= nominal[i] / 2 && ms <= nominal[i], "delay " + i + " = " + ms);
        }
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheLastErrorAndTheLimit() {
        RegistryException e = assertThrows(RegistryException.class,
                () -> policy(3, Duration.ofMinutes(1)).run("op", p -> {
                    throw status(502, null);
                }));
        assertEquals(502, e.statusCode());
        assertTrue(e.getMessage().endsWith("(gave up after 3 attempts)"), e.getMessage());
        assertEquals(2, slept.size());
    }

    @Test
    void honoursRetryAfterAndTheTotalTimeLimit() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        policy(5, Duration.ofMinutes(1)).run("op", p -> {
            if (calls.incrementAndGet() == 1) {
                throw status(429, Duration.ofSeconds(7));
            }
            return null;
        });
        assertEquals(List.of(Duration.ofSeconds(7)), slept);

        RegistryException e = assertThrows(RegistryException.class, () -> policy(5, Duration.ofSeconds(30)).run("op", p -> {
            throw status(429, Duration.ofSeconds(3600));
        }));
        assertTrue(e.getMessage().contains("the registry asked to wait 3600 s, longer than the retry limit of 30 s"), e.getMessage());
    }

    @Test
    void permanentFailuresAreNotRetried() {
        List<IOException> permanent = List.of(
                status(404, null), status(400, null), status(501, null),
                new RegistryAuthException("denied", 401, List.of()),
                DigestMismatchException.digest(Digest.of(new byte[0]), Digest.of(new byte[1])),
                new SSLHandshakeException("PKIX path building failed"),
                new LocalIOException(new IOException("disk full")),
                new IOException("wrapped", new LocalIOException(new IOException("no such file"))));
        for (IOException failure : permanent) {
            slept.clear();
            IOException thrown = assertThrows(IOException.class, () -> policy(5, Duration.ofMinutes(1)).run("op", p -> {
                throw failure;
            }));
            assertSame(failure, thrown);
            assertTrue(slept.isEmpty(), failure + " was retried");
        }
    }

    @Test
    void networkFailuresAreRetried() {
        for (IOException e : List.of(new ConnectException("refused"), new EOFException(), new HttpTimeoutException("t"),
                new SocketTimeoutException(), new TransferStalledException("stall"), new IOException("connection reset"),
                status(500, null), status(503, null), status(504, null), status(408, null), status(429, null))) {
            assertTrue(RetryPolicy.isRetryable(e), e.toString());
        }
    }

    @Test
    void attemptsThatMadeProgressDoNotCount() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        policy(2, Duration.ofMinutes(1)).run("op", p -> {
            if (calls.incrementAndGet() < 6) {
                p.advanced();
                throw new EOFException("cut");
            }
            return null;
        });
        assertEquals(6, calls.get());
    }

    @Test
    void retryAfterValues() {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        assertEquals(Duration.ofSeconds(120), RetryPolicy.parseRetryAfter("120", now));
        assertEquals(Duration.ofSeconds(30), RetryPolicy.parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now));
        assertEquals(Duration.ZERO, RetryPolicy.parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", now));
        assertNull(RetryPolicy.parseRetryAfter("soon", now));
        assertNull(RetryPolicy.parseRetryAfter(null, now));
        assertNull(RetryPolicy.parseRetryAfter("-5", now));
        assertFalse(RetryPolicy.isRetryableStatus(505));
    }

    /** Our own exceptions are worded for the user; a JDK exception keeps its kind, which says what happened. */
    @Test
    void reasonsNameTheJdkExceptionsKindButNotOurs() {
        assertEquals("no data from the registry for 60000 ms while reading",
                RetryPolicy.reason(new TransferStalledException("no data from the registry for 60000 ms while reading")));
        assertEquals("EOFException: unexpected end", RetryPolicy.reason(new java.io.EOFException("unexpected end")));
        assertEquals("the connection closed after 40 of 100 bytes",
                RetryPolicy.reason(new java.io.IOException("fixed content-length: 100, bytes received: 40")));
        assertEquals("closed", RetryPolicy.reason(new java.io.IOException("closed")), "a plain IOException's kind says nothing");
        assertEquals("HTTP 503", RetryPolicy.reason("pushing blob b (checking for it)",
                new RegistryException("pushing blob b failed: HTTP 503", 503, List.of(), null, null)), "the operation is not said twice");
    }
}
