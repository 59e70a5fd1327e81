package dev.jbuild.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A registry operation failed for good (after any retries). The message names the registry, what
 * was being done (the blob or manifest) and why: the HTTP status and the registry's own error
 * codes and messages ({@code errors[].code/message} of the distribution spec).
 */
public class RegistryException extends IOException {

    private static final long serialVersionUID = 1L;

    /** One entry of a registry's {@code errors} array. */
    public record Error(String code, String message) {
        @Override
        public String toString() {
            if (code == null || code.isEmpty()) {
                return message;
            }
            return message == null || message.isEmpty() ? code : code + ": " + message;
        }
    }

    private final int statusCode;
    private final transient List<Error> errors;
    private final transient Duration retryAfter;

    public RegistryException(String message) {
        this(message, 0, List.of(), null, null);
    }

    public RegistryException(String message, Throwable cause) {
        this(message, 0, List.of(), null, cause);
    }

    RegistryException(String message, int statusCode, List<Error> errors, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
        this.errors = List.copyOf(errors);
        this.retryAfter = retryAfter;
    }

    /** The HTTP status of the failed response; 0 when the failure was not an HTTP response. */
    public int statusCode() {
        return statusCode;
    }

    /** The registry's error codes and messages, possibly empty. */
    public List<Error> errors() {
        return errors;
    }

    /** Whether the registry reported {@code code} (e.g. {@code MANIFEST_UNKNOWN}). */
    boolean hasError(String code) {
        return errors.stream().anyMatch(e -> code.equals(e.code()));
    }

    /** The delay a 429 or 503 response asked for, or null. */
    Duration retryAfter() {
        return retryAfter;
    }

    /** "HTTP 404 Not Found: MANIFEST_UNKNOWN: manifest unknown" style detail for messages. */
    static String describe(int status, List<Error> errors) {
        String text = "HTTP " + status + (reason(status).isEmpty() ? "" : " " + reason(status));
        if (!errors.isEmpty()) {
            text += ": " + errors.stream().map(Error::toString).collect(Collectors.joining("; "));
        }
        return text;
    }

    static String reason(int status) {
        switch (status) {
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 413: return "Payload Too Large";
            case 416: return "Range Not Satisfiable";
            case 429: return "Too Many Requests";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            default: return "";
        }
    }
}
