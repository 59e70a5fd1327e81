package dev.jbuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** One HTTP response with its body still to be read (or closed). */
final class Response implements Closeable {

    /** The registry package's JSON (error bodies, tokens, config.json), built on first use: an
     *  ObjectMapper costs a short push more than its requests, and most responses have no JSON. */
    static ObjectMapper json() {
        return JsonHolder.JSON;
    }

    private static final class JsonHolder {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private static final int ERROR_BODY_LIMIT = 64 * 1024;
    private static final long DRAIN_LIMIT = 64 * 1024;

    private final int status;
    private final HttpHeaders headers;
    private final URI uri;
    private final BodyStream body;

    Response(int status, HttpHeaders headers, URI uri, BodyStream body) {
        this.status = status;
        this.headers = headers;
        this.uri = uri;
        this.body = body;
    }

    int status() {
        return status;
    }

    HttpHeaders headers() {
        return headers;
    }

    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    OptionalLong contentLength() {
        return headers.firstValueAsLong("Content-Length");
    }

    /** The URI that answered (after redirects). */
    URI uri() {
        return uri;
    }

    BodyStream body() {
        return body;
    }

    boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /**
     * Whether this success is a web page ({@code text/html}), which no registry API answers: its
     * answers are JSON or nothing. A web server, or a proxy's login or error page, answers 200 to
     * any request, and that must not read as a stored manifest, a blob that is there or an
     * accepted login. Only successes count: an error status keeps its meaning whatever the body
     * (nginx's own 401 and 413 pages stand in front of real registries).
     */
    boolean isWebPage() {
        String type = header("Content-Type").orElse("").split(";", 2)[0].strip();
        return isSuccess() && type.equalsIgnoreCase("text/html");
    }

    /** The failure for a {@link #isWebPage web page}: the server is no registry, or something stands in front of it. */
    RegistryException notARegistry(String what) {
        close();
        return new RegistryException(what + " failed: " + uri.getRawAuthority() + " did not answer as a registry (HTTP " + status
                + ", text/html): is it a web server or a proxy's login page?", status, List.of(), null, null);
    }

    /** The Location header resolved against the request URI; error when missing. */
    URI location(String what) throws RegistryException {
        String loc = header("Location").orElseThrow(() -> new RegistryException(
                what + ": the registry's response (HTTP " + status + ") has no Location header"));
        return uri.resolve(loc);
    }

    /**
     * The failure this response stands for: {@code what failed: HTTP status reason: CODE: message},
     * with the registry's {@code Retry-After} kept for the retry policy. Consumes the body.
     */
    RegistryException failure(String what) {
        List<RegistryException.Error> errors = errors();
        Duration retryAfter = RetryPolicy.parseRetryAfter(header("Retry-After").orElse(null), Instant.now());
        String message = what + " failed: " + RegistryException.describe(status, errors);
        return new RegistryException(message, status, errors, retryAfter, null);
    }

    /** The {@code errors} array of the body, or a line of a non-JSON body; consumes the body. */
    List<RegistryException.Error> errors() {
        List<RegistryException.Error> errors = new ArrayList<>();
        byte[] bytes;
        try {
            bytes = body.readAtMost(ERROR_BODY_LIMIT);
        } catch (IOException e) {
            return errors;
        } finally {
            close();
        }
        if (bytes.length == 0) {
            return errors;
        }
        try {
            JsonNode tree = json().readTree(bytes);
            JsonNode list = tree == null ? null : tree.get("errors");
            if (list != null && list.isArray()) {
                for (JsonNode e : list) {
                    String code = e.path("code").asText("");
                    String message = e.path("message").asText("");
                    JsonNode detail = e.get("detail");
                    if (detail != null && !detail.isNull() && !detail.isMissingNode() && message.isEmpty()) {
                        message = detail.toString();
                    }
                    errors.add(new RegistryException.Error(code.isEmpty() ? "UNKNOWN" : code, message));
                }
                return errors;
            }
            // OAuth2-style token server errors.
            if (tree != null && tree.hasNonNull("error")) {
                errors.add(new RegistryException.Error(tree.get("error").asText(), tree.path("error_description").asText("")));
                return errors;
            }
        } catch (IOException e) {
            // Not JSON: fall through.
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        String firstLine = text.lines().findFirst().orElse("");
        if (!firstLine.isEmpty() && !firstLine.startsWith("<")) {
            errors.add(new RegistryException.Error("", firstLine.length() > 200 ? firstLine.substring(0, 200) + "..." : firstLine));
        }
        return errors;
    }

    /** Releases the connection: small remaining bodies are drained so the connection is reused. */
    @Override
    public void close() {
        long length = contentLength().orElse(-1);
        if (length >= 0 && length <= DRAIN_LIMIT) {
            try {
                body.skip(DRAIN_LIMIT);
            } catch (IOException e) {
                // Broken anyway; close cancels.
            }
        }
        body.close();
    }
}
