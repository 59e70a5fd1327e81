package dev.jbuild.registry;

import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.InvalidDocumentException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an operation again after transient failures: 408, 429 and 5xx responses (except 501 and
 * 505), dropped or reset connections, timeouts and stalled transfers. A breached limit (a
 * document too large, a transfer slower than the minimum rate) is permanent. Delays grow exponentially
 * from the initial backoff up to the maximum, with jitter (each delay is drawn between half and
 * all of its nominal value, so that clients failing together do not retry together), and a
 * {@code Retry-After} the registry sends is honoured as the minimum delay. A host name that does not
 * resolve is permanent too (DNS answers the same a second later). Attempts are bounded by
 * count and by total time; the last failure is then rethrown as it is, so its message says what
 * failed and why.
 *
 * <p>An attempt that made progress (a download that received bytes before the connection broke)
 * does not use up an attempt: large transfers over flaky links finish as long as they advance,
 * within the total time bound.
 */
final class RetryPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    /** One attempt; {@link Progress#advanced()} marks that it got somewhere before failing. */
    @FunctionalInterface
    interface Attempt<T> {
        T run(Progress progress) throws IOException;
    }

    /** Lets an attempt report progress. */
    static final class Progress {
        private boolean advanced;
        private int attempt;

        void advanced() {
            advanced = true;
        }

        /** 1 for the first attempt. */
        int attempt() {
            return attempt;
        }
    }

    /** Sleeps; replaced in tests. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxTotal;
    private final RegistryListener listener;
    private final Sleeper sleeper;
    private final LongSupplier nanoClock;

    RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxTotal, RegistryListener listener) {
        this(maxAttempts, initialBackoff, maxBackoff, maxTotal, listener, d -> Thread.sleep(d.toMillis()), System::nanoTime);
    }

    RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxTotal, RegistryListener listener,
            Sleeper sleeper, LongSupplier nanoClock) {
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxTotal = maxTotal;
        this.listener = listener;
        this.sleeper = sleeper;
        this.nanoClock = nanoClock;
    }

    static RetryPolicy from(RegistryOptions o) {
        return new RetryPolicy(o.maxAttempts(), o.initialBackoff(), o.maxBackoff(), o.maxRetryTime(), o.listener());
    }

    /** Runs {@code op} until it succeeds, fails permanently, or the attempts or time run out. */
    <T> T run(String operation, Attempt<T> op) throws IOException {
        long start = nanoClock.getAsLong();
        int failures = 0;
        int attempt = 0;
        while (true) {
            Progress progress = new Progress();
            progress.attempt = ++attempt;
            try {
                return op.run(progress);
            } catch (IOException e) {
                if (!isRetryable(e)) {
                    throw e;
                }
                if (!progress.advanced) {
                    failures++;
                }
                if (failures >= maxAttempts) {
                    throw giveUp(operation, e, attempt + " attempts");
                }
                Duration delay = delay(failures, e);
                Duration elapsed = Duration.ofNanos(nanoClock.getAsLong() - start);
                if (elapsed.plus(delay).compareTo(maxTotal) > 0) {
                    Duration asked = e instanceof RegistryException re ? re.retryAfter() : null;
                    throw giveUp(operation, e, asked != null && asked.compareTo(maxTotal) > 0
                            ? "the registry asked to wait " + asked.toSeconds() + " s, longer than the retry limit of "
                                    + maxTotal.toSeconds() + " s"
                            : "the retry time limit of " + maxTotal.toSeconds() + " s");
                }
                String reason = reason(operation, e);
                // One event, one line: the listener's (the progress output); the log has it for --debug.
                LOG.debug("{} failed: {}; retrying in {} ms (attempt {}, {} failed of at most {})", operation, reason,
                        delay.toMillis(), attempt + 1, failures, maxAttempts);
                listener.retrying(operation, attempt + 1, delay, reason);
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    InterruptedIOException iio = new InterruptedIOException(operation + " interrupted");
                    iio.addSuppressed(e);
                    throw iio;
                }
            }
        }
    }

    /** The delay before retry number {@code failures} (1-based), honouring Retry-After. */
    Duration delay(int failures, IOException e) {
        long nominal = initialBackoff.toMillis() << Math.min(failures - 1, 20);
        nominal = Math.min(Math.max(nominal, 1), maxBackoff.toMillis());
        long jittered = nominal / 2 + ThreadLocalRandom.current().nextLong(nominal / 2 + 1);
        Duration d = Duration.ofMillis(jittered);
        if (e instanceof RegistryException re && re.retryAfter() != null && re.retryAfter().compareTo(d) > 0) {
            d = re.retryAfter();
        }
        return d;
    }

    private static IOException giveUp(String operation, IOException last, String limit) {
        if (last instanceof RegistryException re) {
            RegistryException wrapped = new RegistryException(
                    re.getMessage() + " (gave up after " + limit + ")", re.statusCode(), re.errors(), re.retryAfter(), re);
            return wrapped;
        }
        return new RegistryException(operation + " failed: " + reason(last) + " (gave up after " + limit + ")", last);
    }

    /**
     * What went wrong in one attempt of {@code operation}, without the operation's name where the
     * message starts with it ({@code pulling manifest x failed: HTTP 503 ...} becomes
     * {@code HTTP 503 ...}), so that a retry line names the operation once.
     */
    static String reason(String operation, IOException e) {
        String text = reason(e);
        // The failure may name the operation as the warning does, or without its note ("(checking for it)").
        int note = operation.indexOf(" (");
        for (String named : note > 0 ? List.of(operation, operation.substring(0, note)) : List.of(operation)) {
            String prefix = named + " failed: ";
            if (text.startsWith(prefix) && text.length() > prefix.length()) {
                return text.substring(prefix.length());
            }
        }
        return text;
    }

    /** The JDK HTTP client's message for a body that ended before its Content-Length. */
    private static final Pattern CUT_SHORT =
            Pattern.compile("fixed content-length: (\\d+), bytes received: (\\d+)");

    static String reason(IOException e) {
        if (e instanceof RegistryException || e instanceof NetworkException) {
            return e.getMessage();
        }
        String message = e.getMessage();
        for (Throwable c = e.getCause(); (message == null || message.isEmpty()) && c != null; c = c.getCause()) {
            message = c.getMessage();
        }
        String kind = e.getClass().getSimpleName();
        if (e instanceof HttpTimeoutException) {
            return "timed out" + (message == null ? "" : ": " + message);
        }
        if (e.getClass().getName().startsWith("dev.jbuild.") && message != null && !message.isEmpty()) {
            return message; // ours are worded for the user (a stalled transfer); a JDK exception's kind says more
        }
        if (e.getClass() == IOException.class && message != null && !message.isEmpty()) {
            // The JDK HTTP client's own words, whose kind says nothing ("fixed content-length: 100, bytes received: 40").
            Matcher cut = CUT_SHORT.matcher(message);
            return cut.matches() ? "the connection closed after " + cut.group(2) + " of " + cut.group(1) + " bytes" : message;
        }
        return message == null || message.isEmpty() ? kind : kind + ": " + message;
    }

    /** Whether {@code e} is worth another attempt. */
    static boolean isRetryable(IOException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof LocalIOException) {
                return false;
            }
        }
        if (e instanceof RegistryAuthException || e instanceof DigestMismatchException || e instanceof TransferTooSlowException
                || e instanceof LimitExceededException
                || e instanceof InvalidDocumentException || e instanceof LocalIOException
                || e instanceof SSLHandshakeException || e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return false;
        }
        if (e instanceof RegistryException re) {
            return isRetryableStatus(re.statusCode());
        }
        if (e instanceof NetworkException ne) {
            return ne.retryable();
        }
        // Connection refused or reset, EOF, timeouts, stalls, HTTP/2 stream resets: the network.
        return true;
    }

    static boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
    }

    /**
     * A {@code Retry-After} value: delay seconds or an HTTP date. Null when absent or unreadable;
     * a date in the past is zero.
     */
    static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            // Not seconds: try a date.
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)).toInstant();
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
