package dev.jbuild.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jbuild.image.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry in memory on a loopback port, just enough of the distribution API for
 * {@link TrainingRun}'s pushes and pulls: the class archive is made without network and without a
 * registry installed, yet holds the classes of the HTTP client and the push and pull paths. It
 * checks nothing (no auth, no digest verification): it only ever sees jbuild's own uploads of a
 * training image, and it is not a registry for anything else.
 */
final class TrainingRegistry implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    /** repository + "/" + tag or digest → manifest bytes and media type. */
    private final Map<String, Map.Entry<String, byte[]>> manifests = new ConcurrentHashMap<>();
    private final AtomicInteger sessions = new AtomicInteger();

    TrainingRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", this::handle);
        server.start();
    }

    /** host:port, a loopback address, so jbuild talks plain HTTP to it without being told. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            URI uri = exchange.getRequestURI();
            String path = uri.getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/v2/")) {
                respond(exchange, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            int uploadsAt = path.indexOf("/blobs/uploads/");
            int blobsAt = path.lastIndexOf("/blobs/");
            int manifestsAt = path.lastIndexOf("/manifests/");
            if (uploadsAt > 0) {
                upload(exchange, method, path.substring(4, uploadsAt), path.substring(uploadsAt + "/blobs/uploads/".length()), uri, body);
            } else if (blobsAt > 0 && !method.equals("PUT")) {
                byte[] blob = blobs.get(path.substring(blobsAt + "/blobs/".length()));
                respond(exchange, blob == null ? 404 : 200, "application/octet-stream", blob);
            } else if (manifestsAt > 0) {
                manifest(exchange, method, path.substring(4, manifestsAt), path.substring(manifestsAt + "/manifests/".length()), body);
            } else {
                respond(exchange, 404, null, null);
            }
        }
    }

    private void upload(HttpExchange exchange, String method, String repository, String session, URI uri, byte[] body)
            throws IOException {
        String location = "/v2/" + repository + "/blobs/uploads/";
        if (method.equals("POST")) {
            String id = Integer.toString(sessions.incrementAndGet());
            uploads.put(id, new ByteArrayOutputStream());
            exchange.getResponseHeaders().set("Location", location + id);
            exchange.getResponseHeaders().set("Docker-Upload-UUID", id);
            exchange.getResponseHeaders().set("Range", "0-0");
            respond(exchange, 202, null, null);
            return;
        }
        ByteArrayOutputStream upload = uploads.get(session);
        if (upload == null) {
            respond(exchange, 404, null, null);
            return;
        }
        upload.write(body);
        if (method.equals("PATCH")) {
            exchange.getResponseHeaders().set("Location", location + session);
            exchange.getResponseHeaders().set("Range", "0-" + (upload.size() - 1));
            respond(exchange, 202, null, null);
            return;
        }
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        String digest = query.startsWith("digest=") ? query.substring("digest=".length()).split("&", 2)[0] : "";
        blobs.put(digest, upload.toByteArray());
        uploads.remove(session);
        exchange.getResponseHeaders().set("Location", "/v2/" + repository + "/blobs/" + digest);
        exchange.getResponseHeaders().set("Docker-Content-Digest", digest);
        respond(exchange, 201, null, null);
    }

    private void manifest(HttpExchange exchange, String method, String repository, String reference, byte[] body)
            throws IOException {
        if (method.equals("PUT")) {
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            String digest = Digest.of(body).toString();
            manifests.put(repository + "/" + reference, Map.entry(type, body));
            manifests.put(repository + "/" + digest, Map.entry(type, body));
            exchange.getResponseHeaders().set("Location", "/v2/" + repository + "/manifests/" + digest);
            exchange.getResponseHeaders().set("Docker-Content-Digest", digest);
            respond(exchange, 201, null, null);
            return;
        }
        Map.Entry<String, byte[]> manifest = manifests.get(repository + "/" + reference);
        if (manifest == null) {
            respond(exchange, 404, null, null);
            return;
        }
        exchange.getResponseHeaders().set("Docker-Content-Digest", Digest.of(manifest.getValue()).toString());
        respond(exchange, 200, manifest.getKey(), manifest.getValue());
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        if (type != null) {
            exchange.getResponseHeaders().set("Content-Type", type);
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (body == null || head) {
            if (body != null) {
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            }
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
