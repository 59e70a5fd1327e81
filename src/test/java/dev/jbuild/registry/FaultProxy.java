package dev.jbuild.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP forwarder for tests: jbuild talks to it as if it were the registry, and
 * it passes every request on to the real registry, except where a rule says otherwise: answer
 * with a status (503, 429 with Retry-After...), cut the connection part-way through a body,
 * stall, delay the response, corrupt a byte, or serve a canned document. The registry builds its
 * Location URLs from {@code X-Forwarded-Host}, so upload sessions come back through the proxy.
 * Every request is recorded.
 */
final class FaultProxy implements AutoCloseable {

    /** One request as it arrived. */
    record Seen(String method, String path, String range) {}

    /** What to do instead of (or to) the forwarded exchange. */
    static final class Fault {
        int status;
        Map<String, String> headers = Map.of();
        byte[] body = new byte[0];
        long dropAfter = -1;
        long stallAfter = -1;
        Duration stall = Duration.ZERO;
        Duration delay = Duration.ZERO;
        boolean corrupt;
        boolean stripRange;
        boolean endless;
        Duration trickle = Duration.ZERO;
        Map<String, String> extraHeaders = Map.of();

        static Fault status(int status, String json) {
            Fault f = new Fault();
            f.status = status;
            f.body = json.getBytes(StandardCharsets.UTF_8);
            f.headers = Map.of("Content-Type", "application/json");
            return f;
        }

        static Fault status(int status, String json, Map<String, String> headers) {
            Fault f = status(status, json);
            HashMap<String, String> h = new HashMap<>(headers);
            h.put("Content-Type", "application/json");
            f.headers = h;
            return f;
        }

        static Fault respond(int status, String contentType, byte[] body) {
            Fault f = new Fault();
            f.status = status;
            f.body = body;
            f.headers = Map.of("Content-Type", contentType);
            return f;
        }

        /** Forward, send the headers and {@code bytes} of the body, then cut the connection. */
        static Fault dropAfter(long bytes) {
            Fault f = new Fault();
            f.dropAfter = bytes;
            return f;
        }

        /** Forward, send {@code bytes} of the body, then go silent for {@code stall}. */
        static Fault stallAfter(long bytes, Duration stall) {
            Fault f = new Fault();
            f.stallAfter = bytes;
            f.stall = stall;
            return f;
        }

        /**
         * Forward without a Content-Length, and after the body keep sending zeros (up to 1 GiB, or
         * until the client hangs up): a body that never ends.
         */
        static Fault endless() {
            Fault f = new Fault();
            f.endless = true;
            return f;
        }

        /** Forward, sending the body one byte every {@code interval} (until the client hangs up). */
        static Fault trickle(Duration interval) {
            Fault f = new Fault();
            f.trickle = interval;
            return f;
        }

        /** Wait before forwarding at all. */
        static Fault delay(Duration delay) {
            Fault f = new Fault();
            f.delay = delay;
            return f;
        }

        /** Forward, flipping one byte in the middle of the body. */
        static Fault corrupt() {
            Fault f = new Fault();
            f.corrupt = true;
            return f;
        }

        /** Forward, adding headers to the response. */
        static Fault addHeaders(Map<String, String> headers) {
            Fault f = new Fault();
            f.extraHeaders = headers;
            return f;
        }

        /** Forward without the Range header: a server that cannot resume. */
        static Fault noRanges() {
            Fault f = new Fault();
            f.stripRange = true;
            return f;
        }
    }

    private static final class Rule {
        final Predicate<Seen> matches;
        final Fault fault;
        final AtomicInteger remaining;

        Rule(Predicate<Seen> matches, Fault fault, int times) {
            this.matches = matches;
            this.fault = fault;
            this.remaining = new AtomicInteger(times);
        }
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "transfer-encoding", "host",
            "expect", "upgrade", "keep-alive", "te", "trailer", "proxy-connection", "date");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final URI upstream;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FaultProxy forward(URI upstream) throws IOException {
        return new FaultProxy(upstream);
    }

    /** {@code 127.0.0.1:PORT}: the registry name to give jbuild. */
    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Applies {@code fault} to the next {@code times} requests matching {@code matches}. */
    FaultProxy inject(Predicate<Seen> matches, Fault fault, int times) {
        rules.add(new Rule(matches, fault, times));
        return this;
    }

    static Predicate<Seen> request(String method, String pathPart) {
        return s -> s.method().equals(method) && s.path().contains(pathPart);
    }

    void clearFaults() {
        rules.clear();
    }

    List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    void clearSeen() {
        seen.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String rawPath = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            Seen s = new Seen(exchange.getRequestMethod(), rawPath, exchange.getRequestHeaders().getFirst("Range"));
            seen.add(s);
            Fault fault = null;
            for (Rule r : rules) {
                if (r.matches.test(s) && r.remaining.getAndDecrement() > 0) {
                    fault = r.fault;
                    break;
                }
            }
            byte[] requestBody = exchange.getRequestBody().readAllBytes();
            if (fault != null && fault.delay.compareTo(Duration.ZERO) > 0) {
                Thread.sleep(fault.delay.toMillis());
            }
            if (fault != null && fault.status > 0) {
                fault.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(fault.status, head || fault.body.length == 0 ? -1 : fault.body.length);
                if (!head && fault.body.length > 0) {
                    exchange.getResponseBody().write(fault.body);
                }
                exchange.close();
                return;
            }
            forward(exchange, rawPath, requestBody, fault);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        } catch (IOException | RuntimeException e) {
            // Cut the connection: HttpServer closes it when a handler fails.
            throw e;
        }
    }

    private void forward(HttpExchange exchange, String rawPath, byte[] requestBody, Fault fault) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(upstream.resolve(rawPath));
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(name) || (fault != null && fault.stripRange && name.equals("range"))) {
                continue;
            }
            for (String v : h.getValue()) {
                rb.header(h.getKey(), v);
            }
        }
        rb.header("X-Forwarded-Host", host());
        rb.header("X-Forwarded-Proto", "http");
        String method = exchange.getRequestMethod();
        rb.method(method, requestBody.length == 0 && (method.equals("GET") || method.equals("HEAD"))
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(requestBody));
        HttpResponse<InputStream> response = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        for (Map.Entry<String, List<String>> h : response.headers().map().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(name) && !(name.equals("content-length") && method.equals("HEAD"))) {
                continue;
            }
            exchange.getResponseHeaders().put(h.getKey(), h.getValue());
        }
        if (fault != null) {
            fault.extraHeaders.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        int status = response.statusCode();
        boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || length == 0;
        try (InputStream in = response.body()) {
            if (noBody) {
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
                return;
            }
            boolean endless = fault != null && fault.endless;
            exchange.sendResponseHeaders(status, length < 0 || endless ? 0 : length);
            OutputStream out = exchange.getResponseBody();
            byte[] body = in.readAllBytes();
            if (endless) {
                out.write(body);
                byte[] zeros = new byte[64 * 1024];
                for (int i = 0; i < (1 << 30) / zeros.length; i++) {
                    out.write(zeros); // fails once the client has hung up
                }
                out.close();
                return;
            }
            if (fault != null && !fault.trickle.isZero()) {
                for (byte b : body) {
                    out.write(b);
                    out.flush(); // fails once the client has hung up
                    Thread.sleep(fault.trickle.toMillis());
                }
                out.close();
                return;
            }
            if (fault != null && fault.corrupt && body.length > 0) {
                body[body.length / 2] ^= 0x55;
            }
            if (fault != null && fault.dropAfter >= 0) {
                out.write(body, 0, (int) Math.min(fault.dropAfter, body.length));
                out.flush();
                throw new IOException("fault proxy: dropping the connection after " + fault.dropAfter + " bytes");
            }
            if (fault != null && fault.stallAfter >= 0) {
                int first = (int) Math.min(fault.stallAfter, body.length);
                out.write(body, 0, first);
                out.flush();
                Thread.sleep(fault.stall.toMillis());
                out.write(body, first, body.length - first);
            } else {
                out.write(body);
            }
            out.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
