package dev.jbuild.context;

import dev.jbuild.attestation.Material;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Digester;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one way jbuild downloads an http(s) URL that is not a registry's: an {@code ADD} URL, a build context or
 * named context given as a URL. One GET, with redirects followed here rather than by the JDK client (whose
 * limit of 5 hops fails with "Too many retries" or hands back the 302): up to {@value #MAX_REDIRECTS}, as Go's
 * client in BuildKit follows them, never from HTTPS to plain HTTP. {@link #toFile} dates the file and sets its mode as
 * BuildKit's HTTP source does. URLs in messages have no user name or password.
 */
public final class UrlDownload {

    /** Redirects followed for one download; the next one fails it, as Go's {@code stopped after 10 redirects}. */
    public static final int MAX_REDIRECTS = 10;
    /** The mode of a downloaded file (BuildKit's HTTP source). */
    public static final int FILE_MODE = 0600;

    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private UrlDownload() {}

    /**
     * A downloaded file.
     *
     * @param lastModified the server's {@code Last-Modified}, if it sent one that parses
     */
    public record Downloaded(Path file, Digest digest, Optional<Instant> lastModified) {}

    /** A client for {@link #open} that connects directly (tests, and where no environment says otherwise). */
    public static HttpClient newClient() {
        return newClient(HttpClient.Builder.NO_PROXY);
    }

    /**
     * A client for {@link #open}: through {@code proxies} (the environment's {@code HTTPS_PROXY}/{@code NO_PROXY},
     * as the registry client reads them), following no redirect itself, so that {@link #open} sees each one.
     */
    public static HttpClient newClient(ProxySelector proxies) {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).proxy(proxies).build();
    }

    /**
     * The successful (2xx) response to a GET of {@code url}, after following its redirects; the caller reads and
     * closes its body. Any other status fails as {@code downloading URL: HTTP 404}.
     */
    public static HttpResponse<InputStream> open(HttpClient client, String url) throws IOException, InterruptedException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid URL " + shown(url) + ": " + e.getMessage(), e);
        }
        for (int redirects = 0;; redirects++) {
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (IllegalArgumentException e) {
                throw new IOException("invalid URL " + shown(uri.toString()) + ": " + e.getMessage(), e);
            }
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (status / 100 == 2) {
                return response;
            }
            response.body().close();
            if (!REDIRECTS.contains(status) || location.isEmpty()) {
                throw new IOException("downloading " + shown(uri.toString()) + ": HTTP " + status);
            }
            URI next;
            try {
                next = uri.resolve(location.get());
            } catch (IllegalArgumentException e) {
                throw new IOException("downloading " + shown(uri.toString()) + ": HTTP " + status + " to an invalid location "
                        + shown(location.get()), e);
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IOException("downloading " + shown(url) + ": refusing a redirect to " + shown(next.toString()));
            }
            if (uri.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
                throw new IOException("downloading " + shown(url) + ": refusing a redirect from HTTPS to plain HTTP ("
                        + shown(next.toString()) + ")");
            }
            if (redirects == MAX_REDIRECTS) {
                throw new IOException("downloading " + shown(url) + ": stopped after " + MAX_REDIRECTS + " redirects (the last from "
                        + shown(uri.toString()) + " to " + shown(next.toString()) + ")");
            }
            uri = next;
        }
    }

    /**
     * Downloads {@code url} into {@code target} (created or replaced) while hashing it, and leaves the file as
     * BuildKit's HTTP source leaves it: mode 0600, modification time from
     * {@code Last-Modified}, else the epoch. So a named context from a URL, a directory holding this file, gives the
     * same layer on every build, as an {@code ADD} of the URL does.
     */
    public static Downloaded toFile(HttpClient client, String url, Path target) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = open(client, url);
        Digester sha256 = Digester.sha256();
        try (InputStream body = response.body(); OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            Files.deleteIfExists(target);
            throw new IOException("downloading " + shown(url) + ": " + e.getMessage(), e);
        }
        Optional<Instant> lastModified = response.headers().firstValue("Last-Modified").flatMap(UrlDownload::httpDate);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(target, FileTime.from(lastModified.orElse(Instant.EPOCH)));
        return new Downloaded(target, sha256.digest(), lastModified);
    }

    /** {@code url} as messages show it: without a user name or password. */
    public static String shown(String url) {
        return Material.withoutCredentials(url);
    }

    private static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
