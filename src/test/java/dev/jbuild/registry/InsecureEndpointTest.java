package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageName;
import dev.jbuild.testing.Integration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an insecure registry's scheme is chosen: a port that speaks plain HTTP is recognised
 * without a TLS handshake, once per registry however many transfers start at the same time, and
 * a TLS port still gets its HTTPS attempt.
 */
@Integration
class InsecureEndpointTest {

    @TempDir
    Path tmp;

    /**
     * A registry speaking HTTP/1.1 on a raw socket, so the first bytes of every connection can be
     * seen. It answers what is not HTTP as Go's net/http does (400 and close), {@code /v2/} with
     * 200 and everything else with 404.
     */
    private static final class RawHttpRegistry implements AutoCloseable {
        final ServerSocket socket;
        final List<byte[]> openings = new CopyOnWriteArrayList<>();
        final ExecutorService pool = Executors.newCachedThreadPool();

        RawHttpRegistry() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            pool.submit(this::accept);
        }

        String host() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        /** Connections that began with a TLS ClientHello (record type 22, handshake type 1). */
        long clientHellos() {
            return openings.stream().filter(b -> b.length > 5 && b[0] == 0x16 && b[5] == 0x01).count();
        }

        private Void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    pool.submit(() -> serve(s));
                } catch (IOException e) {
                    return null;
                }
            }
            return null;
        }

        private Void serve(Socket s) throws IOException {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) >= 0) {
                    head.write(b);
                    byte[] sofar = head.toByteArray();
                    if (sofar.length == 6 && sofar[0] == 0x16) {
                        openings.add(sofar);
                        out.write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        return null;
                    }
                    if (new String(sofar, StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        openings.add(sofar);
                        String path = new String(sofar, StandardCharsets.ISO_8859_1).split(" ", 3)[1];
                        String status = path.equals("/v2/") ? "200 OK" : "404 Not Found";
                        out.write(("HTTP/1.1 " + status + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        return null;
                    }
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            socket.close();
            pool.shutdownNow();
        }
    }

    @Test
    void plainHttpPortIsRecognisedWithoutATlsHandshakeAndProbedOnce() throws Exception {
        Digest missing = Digest.of("missing".getBytes(StandardCharsets.UTF_8));
        try (RawHttpRegistry registry = new RawHttpRegistry();
                RegistryClient client = RegistryClient.create(Clients.isolated(tmp).insecureRegistry("*").build())) {
            ImageName repository = ImageName.parse(registry.host() + "/repo/app");
            int transfers = 4;
            CyclicBarrier start = new CyclicBarrier(transfers);
            ExecutorService threads = Executors.newFixedThreadPool(transfers);
            try {
                List<Future<Boolean>> answers = new ArrayList<>();
                for (int i = 0; i < transfers; i++) {
                    answers.add(threads.submit(() -> {
                        start.await();
                        return client.blobExists(repository, missing);
                    }));
                }
                for (Future<Boolean> answer : answers) {
                    assertFalse(answer.get());
                }
            } finally {
                threads.shutdownNow();
            }
            assertEquals(0, registry.clientHellos(), "no TLS handshake with a plain-HTTP port");
            long pings = registry.openings.stream()
                    .filter(b -> new String(b, StandardCharsets.ISO_8859_1).startsWith("GET /v2/ ")).count();
            assertEquals(1, registry.openings.stream().filter(b -> b[0] == 0x16).count(), "one look at the port");
            assertEquals(1, pings, "the plain endpoint is probed once, and that answer is also its auth ping");
        }
    }

    @Test
    void thePlainHttpClientNeverSpeaksTls() throws Exception {
        // Built without the JDK's default TLS set-up; an https request through it fails, never goes unverified.
        HttpClient plain = HttpClient.newBuilder().sslContext(new NoTlsContext()).build();
        try (RawHttpRegistry registry = new RawHttpRegistry()) {
            URI base = URI.create("//" + registry.host() + "/v2/");
            assertEquals(200, plain.send(HttpRequest.newBuilder(URI.create("http:" + base)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertThrows(Exception.class, () -> plain.send(
                    HttpRequest.newBuilder(URI.create("https:" + base)).build(),
                    HttpResponse.BodyHandlers.discarding()));
            assertEquals(0, registry.clientHellos());
        }
    }

    @Test
    void tlsPortIsNotTakenForPlainHttp() throws Exception {
        // A TLS server answers the look with an alert: the sniffer must leave it to HTTPS.
        try (ServerSocket tls = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = tls.accept()) {
                    s.getInputStream().readNBytes(9);
                    s.getOutputStream().write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a});
                } catch (IOException ignored) {
                    // the test fails on the assertion below
                }
            });
            server.start();
            assertFalse(PlainHttpSniffer.answersPlainHttp("127.0.0.1", tls.getLocalPort(), Duration.ofSeconds(5)));
            server.join();
        }
    }

    @Test
    void refusedPortIsNotTakenForPlainHttp() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        assertFalse(PlainHttpSniffer.answersPlainHttp("127.0.0.1", port, Duration.ofSeconds(5)));
    }
}
