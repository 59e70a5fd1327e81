package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.jbuild.image.Digest;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads against a loopback HTTP server: redirects as Go's client follows them, the file as BuildKit leaves it. */
@Integration
class UrlDownloadTest {

    @TempDir
    Path temp;

    private HttpServer server;
    private final byte[] body = "payload\n".getBytes();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // /redir/N/name is N redirects: to /redir/N-1/name (relative), from /redir/1/name to /files/name (absolute).
        server.createContext("/redir/", exchange -> {
            String[] parts = exchange.getRequestURI().getPath().split("/", 4);
            int hops = Integer.parseInt(parts[2]);
            exchange.getResponseHeaders().add("Location", hops == 1 ? base() + "/files/" + parts[3] : "../" + (hops - 1) + "/" + parts[3]);
            exchange.sendResponseHeaders(hops % 2 == 0 ? 302 : 307, -1);
            exchange.close();
        });
        server.createContext("/files/", exchange -> {
            if (exchange.getRequestURI().getPath().endsWith("/missing")) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                if (exchange.getRequestURI().getPath().endsWith("/dated")) {
                    exchange.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
                }
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.createContext("/nowhere", exchange -> {
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private UrlDownload.Downloaded download(String path) throws Exception {
        return UrlDownload.toFile(UrlDownload.newClient(), base() + path, temp.resolve("out"));
    }

    @Test
    void followsUpToTenRedirectsAndStopsAtTheEleventh() throws Exception {
        for (int hops : new int[] {1, 4, 5, 10}) {
            UrlDownload.Downloaded file = download("/redir/" + hops + "/ctx.tar");
            assertEquals("payload\n", Files.readString(file.file()), hops + " redirects");
            assertEquals(Digest.of(body), file.digest());
        }
        IOException tooMany = assertThrows(IOException.class, () -> download("/redir/11/ctx.tar"));
        assertEquals("downloading " + base() + "/redir/11/ctx.tar: stopped after 10 redirects (the last from " + base()
                + "/redir/1/ctx.tar to " + base() + "/files/ctx.tar)", tooMany.getMessage());
    }

    @Test
    void theFileHasModeSixHundredAndTheServersTime() throws Exception {
        UrlDownload.Downloaded dated = download("/redir/2/dated");
        assertEquals(Optional.of(Instant.parse("2015-10-21T07:28:00Z")), dated.lastModified());
        assertEquals(Instant.parse("2015-10-21T07:28:00Z"), Files.getLastModifiedTime(dated.file()).toInstant());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dated.file())));
        UrlDownload.Downloaded undated = download("/files/undated");
        assertEquals(Optional.empty(), undated.lastModified());
        assertEquals(Instant.EPOCH, Files.getLastModifiedTime(undated.file()).toInstant(), "no Last-Modified: the epoch, as BuildKit");
    }

    @Test
    void anErrorStatusNamesTheUrlWithoutItsCredentials() throws Exception {
        String url = base().replace("http://", "http://x:t0ken@") + "/files/missing";
        IOException missing = assertThrows(IOException.class,
                () -> UrlDownload.toFile(UrlDownload.newClient(), url, temp.resolve("out")));
        assertEquals("downloading " + base() + "/files/missing: HTTP 404", missing.getMessage());
        IOException noLocation = assertThrows(IOException.class, () -> download("/nowhere"));
        assertEquals("downloading " + base() + "/nowhere: HTTP 302", noLocation.getMessage());
        assertFalse(Files.exists(temp.resolve("out")));
    }

    /** The environment's HTTP_PROXY carries a download as it carries the registry client's requests; NO_PROXY exempts. */
    @Test
    void aDownloadGoesThroughTheEnvironmentsProxyUnlessNoProxyExemptsIt() throws Exception {
        // This server answers a forward proxy's requests too: they arrive in absolute form, with the same paths.
        String proxy = "http://127.0.0.1:" + server.getAddress().getPort();
        HttpClient proxied = UrlDownload.newClient(RegistryOptions.proxiesFrom(Map.of("HTTP_PROXY", proxy), w -> { }));
        UrlDownload.Downloaded file = UrlDownload.toFile(proxied, "http://downloads.invalid/files/f", temp.resolve("f"));
        assertEquals("payload\n", Files.readString(file.file()));
        HttpClient exempt = UrlDownload.newClient(RegistryOptions.proxiesFrom(
                Map.of("HTTP_PROXY", proxy, "NO_PROXY", "downloads.invalid"), w -> { }));
        assertThrows(IOException.class, () -> UrlDownload.toFile(exempt, "http://downloads.invalid/files/f", temp.resolve("g")));
    }
}
