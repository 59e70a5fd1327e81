package dev.jbuild.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Git's smart HTTP protocol on loopback: every request under {@code /git/} runs the real
 * {@code git http-backend} as a CGI program over the bare repositories in {@code base}. With
 * {@link #requireAuthorization} the server answers 401 to requests without that exact
 * {@code Authorization} header, as a hosting service does for a private repository. Files put with
 * {@link #serve} are served as they are under {@code /files/} (tarball contexts, Dockerfiles).
 */
public final class GitHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Path base;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> lastModified = new ConcurrentHashMap<>();
    private final AtomicInteger unauthorized = new AtomicInteger();
    private volatile String requiredAuthorization;
    private volatile Consumer<String> afterGitRequest = request -> {};

    private GitHttpServer(Path base) throws IOException {
        this.base = base;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/git/", this::git);
        server.createContext("/files/", this::file);
        server.createContext("/dumb/", this::dumb);
        server.createContext("/redir/", this::redirect);
        server.setExecutor(executor);
        server.start();
    }

    public static GitHttpServer start(Path base) throws IOException {
        return new GitHttpServer(base);
    }

    /** {@code http://127.0.0.1:PORT/git/<name>} for the bare repository {@code base/<name>}. */
    public String url(String name) {
        return "http://" + hostPort() + "/git/" + name;
    }

    /**
     * {@code http://127.0.0.1:PORT/dumb/<name>}: git's "dumb" HTTP protocol, the repository's files as
     * they are (after {@code git update-server-info}), which allows neither shallow fetches nor fetching a
     * commit by id: what a plain web server gives.
     */
    public String dumbUrl(String name) {
        return "http://" + hostPort() + "/dumb/" + name;
    }

    /** {@code http://127.0.0.1:PORT/files/<name>}. */
    public String fileUrl(String name) {
        return "http://" + hostPort() + "/files/" + name;
    }

    /** {@code http://127.0.0.1:PORT/redir/HOPS/<name>}: {@code hops} chained 302 redirects that end at {@link #fileUrl}. */
    public String redirectingUrl(int hops, String name) {
        return "http://" + hostPort() + "/redir/" + hops + "/" + name;
    }

    public String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public void serve(String name, byte[] content) {
        files.put(name, content.clone());
    }

    /** Serves {@code content} at {@link #fileUrl} with a {@code Last-Modified} header (an HTTP date). */
    public void serve(String name, byte[] content, String lastModifiedDate) {
        serve(name, content);
        lastModified.put(name, lastModifiedDate);
    }

    /** From now on git requests must carry {@code Authorization: <value>}; null for none. */
    public void requireAuthorization(String value) {
        requiredAuthorization = value;
    }

    /**
     * Called with each served git request's path and query ({@code /repo.git/info/refs?service=…}) after its
     * response is sent, on the server's thread: a test moves a branch between a client's requests with it.
     */
    public void afterGitRequest(Consumer<String> hook) {
        afterGitRequest = hook;
    }

    /** How many git requests were refused for their missing or wrong credentials. */
    public int unauthorizedRequests() {
        return unauthorized.get();
    }

    private void file(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] content = files.get(exchange.getRequestURI().getPath().substring("/files/".length()));
            if (content == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String date = lastModified.get(exchange.getRequestURI().getPath().substring("/files/".length()));
            if (date != null) {
                exchange.getResponseHeaders().add("Last-Modified", date);
            }
            exchange.sendResponseHeaders(200, content.length);
            exchange.getResponseBody().write(content);
        }
    }

    private void redirect(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().split("/", 4);
            int hops = Integer.parseInt(parts[2]);
            exchange.getResponseHeaders().add("Location", hops <= 1 ? fileUrl(parts[3]) : redirectingUrl(hops - 1, parts[3]));
            exchange.sendResponseHeaders(302, -1);
        }
    }

    private void dumb(HttpExchange exchange) throws IOException {
        try (exchange) {
            Path file = base.resolve(exchange.getRequestURI().getPath().substring("/dumb/".length())).normalize();
            if (!file.startsWith(base) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] content = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, content.length);
            exchange.getResponseBody().write(content);
        }
    }

    private void git(HttpExchange exchange) throws IOException {
        try (exchange) {
            String required = requiredAuthorization;
            if (required != null && !required.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.incrementAndGet();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            ProcessBuilder cgi = new ProcessBuilder("git", "http-backend");
            Map<String, String> env = cgi.environment();
            env.put("GIT_PROJECT_ROOT", base.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_CONFIG_GLOBAL", "/dev/null");
            env.put("REQUEST_METHOD", exchange.getRequestMethod());
            env.put("PATH_INFO", exchange.getRequestURI().getPath().substring("/git".length()));
            env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
            env.put("REMOTE_ADDR", "127.0.0.1");
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type != null) {
                env.put("CONTENT_TYPE", type);
            }
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            if (encoding != null) {
                env.put("HTTP_CONTENT_ENCODING", encoding);
            }
            String protocol = exchange.getRequestHeaders().getFirst("Git-Protocol");
            if (protocol != null) {
                env.put("GIT_PROTOCOL", protocol);
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            env.put("CONTENT_LENGTH", Integer.toString(body.length));
            Process process = cgi.start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(body);
            }
            byte[] output;
            try (InputStream stdout = process.getInputStream()) {
                output = stdout.readAllBytes();
            }
            process.getErrorStream().transferTo(OutputStream.nullOutputStream());
            try {
                process.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, output);
        }
        String query = exchange.getRequestURI().getRawQuery();
        afterGitRequest.accept(exchange.getRequestURI().getPath().substring("/git".length()) + (query == null ? "" : "?" + query));
    }

    /** A CGI response: headers (a {@code Status:} among them), a blank line, the body. */
    private static void respond(HttpExchange exchange, byte[] output) throws IOException {
        int end = -1;
        int bodyStart = -1;
        for (int i = 0; i + 1 < output.length; i++) {
            if (output[i] == '\n' && output[i + 1] == '\n') {
                end = i;
                bodyStart = i + 2;
                break;
            }
            if (i + 3 < output.length && output[i] == '\r' && output[i + 1] == '\n' && output[i + 2] == '\r' && output[i + 3] == '\n') {
                end = i;
                bodyStart = i + 4;
                break;
            }
        }
        if (end < 0) {
            exchange.sendResponseHeaders(500, -1);
            return;
        }
        int status = 200;
        for (String line : new String(output, 0, end, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(output, bodyStart, output.length - bodyStart);
        exchange.sendResponseHeaders(status, body.size() == 0 ? -1 : body.size());
        if (body.size() > 0) {
            body.writeTo(exchange.getResponseBody());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Whether {@code base} holds a repository of that name (for assertions). */
    public boolean has(String name) {
        return Files.isDirectory(base.resolve(name));
    }
}
