package dev.jbuild.engine.step;

import dev.jbuild.attestation.Material;
import dev.jbuild.context.UrlDownload;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.image.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A file that {@code ADD https://...} downloads ({@link UrlDownload}: redirects, hashing, Last-Modified), checked against
 * {@code --checksum}, named after the URL's path as written ({@link #urlName}, as BuildKit's
 * Dockerfile frontend names it) and dated by Last-Modified, as BuildKit's HTTP source does.
 *
 * @param file          the downloaded content
 * @param name          the file name to use when the destination is a directory
 * @param digest        {@code sha256:<hex>} of the content
 * @param lastModified  the server's Last-Modified, if it sent one
 */
record RemoteFile(Path file, String name, String digest, Optional<Instant> lastModified) {

    static boolean isUrl(String source) {
        String lower = source.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    /**
     * {@code url} without a user name or password in its authority, as provenance names it
     * (BuildKit redacts the same way); the path and query stay, they say what was downloaded.
     */
    static String withoutCredentials(String url) {
        return Material.withoutCredentials(url);
    }

    /** The digest an {@code ADD --checksum} names, for keying the step before the download; a malformed one fails it. */
    static Digest checkedChecksum(String checksum, Location at) throws BuildException {
        if (!VALID_CHECKSUM.matcher(checksum).matches()) {
            throw new BuildException(at, invalidChecksum(checksum));
        }
        return Digest.parse(checksum);
    }

    private static final Pattern VALID_CHECKSUM = Pattern.compile("sha256:[0-9a-f]{64}");

    private static String invalidChecksum(String checksum) {
        return "invalid checksum " + checksum + ": expected sha256:<64 hex digits>";
    }

    /** Downloads {@code url} into {@code directory}; {@code checksum} ({@code sha256:hex}) may be null. */
    static RemoteFile fetch(HttpClient client, String url, String checksum, Path directory) throws IOException, InterruptedException {
        if (checksum != null && !VALID_CHECKSUM.matcher(checksum).matches()) {
            throw new IOException(invalidChecksum(checksum));
        }
        Path target = Files.createTempFile(directory, "add-", ".download");
        UrlDownload.Downloaded downloaded;
        try {
            downloaded = UrlDownload.toFile(client, url, target);
        } catch (IOException | InterruptedException | RuntimeException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        String digest = downloaded.digest().toString();
        if (checksum != null && !checksum.equals(digest)) {
            Files.deleteIfExists(target);
            throw new IOException("checksum mismatch for " + withoutCredentials(url) + ": expected " + checksum + ", got " + digest);
        }
        return new RemoteFile(target, urlName(url), digest, downloaded.lastModified());
    }

    /** The name of a download whose URL path names no file. */
    static final String UNNAMED = "__unnamed__";

    /**
     * The last element of the path of {@code url} as written (Go's {@code path.Base}: trailing slashes
     * go), or {@value #UNNAMED} when the path has none, as BuildKit's Dockerfile frontend names an ADD
     * download. Neither the server's Content-Disposition nor the URL a redirect led to counts: the name
     * depends on the Dockerfile only. {@code .} and {@code ..} name no file either.
     */
    static String urlName(String url) {
        String path;
        try {
            path = new URI(url).getPath();
        } catch (URISyntaxException e) {
            return UNNAMED;
        }
        if (path == null) {
            return UNNAMED;
        }
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        String name = path.substring(path.lastIndexOf('/', end - 1) + 1, end);
        return name.isEmpty() || name.equals(".") || name.equals("..") ? UNNAMED : name;
    }
}
