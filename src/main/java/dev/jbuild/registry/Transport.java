package dev.jbuild.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP for the registry client: one {@link HttpClient} per TLS set-up, the scheme of each
 * registry (HTTPS, or plain HTTP for insecure registries that do not speak TLS), the User-Agent,
 * timeouts, and redirects, which are followed here rather than by the JDK so that the
 * {@code Authorization} header only ever goes to the origin it was meant for (blob downloads are
 * commonly redirected to S3-style storage that must not see registry credentials).
 */
final class Transport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    private static final int MAX_REDIRECTS = 10;

    /**
     * Where a registry is reached. {@code probed} is the answer to the unauthenticated
     * {@code GET /v2/} sent while choosing the scheme (insecure registries only), else null: it is
     * the answer {@link Authenticator}'s ping would get, so the ping need not be sent again.
     */
    record Endpoint(String registry, URI base, boolean plainHttp, ProbeAnswer probed) {
        Endpoint(String registry, URI base, boolean plainHttp) {
            this(registry, base, plainHttp, null);
        }

        /** {@code base} + path (which starts with {@code /v2/}). */
        URI resolve(String path) {
            return base.resolve(path);
        }

        Endpoint probed(ProbeAnswer answer) {
            return new Endpoint(registry, base, plainHttp, answer);
        }
    }

    /** The status and headers of a {@code GET /v2/} without credentials. */
    record ProbeAnswer(int status, HttpHeaders headers) {}

    private final RegistryOptions options;
    private final EnvProxySelector proxySelector;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Object> endpointLocks = new ConcurrentHashMap<>();
    private volatile HttpClient defaultClient;
    /** For {@code http} URIs only: built without TLS, which it never needs. */
    private volatile HttpClient plainClient;
    /** Every client made, so that {@link #close} can stop their threads. */
    private final List<HttpClient> made = new CopyOnWriteArrayList<>();

    Transport(RegistryOptions options) {
        this.options = options;
        this.proxySelector = new EnvProxySelector(options.environment(), options.listener()::warning);
    }

    RegistryOptions options() {
        return options;
    }

    /**
     * The endpoint of {@code registry} ({@code host[:port]}). Secure registries are HTTPS. An
     * insecure one is tried with HTTPS (certificates unverified) and, when it does not speak TLS,
     * with plain HTTP, as Docker does.
     */
    Endpoint endpoint(String registry) throws IOException {
        Endpoint known = endpoints.get(registry);
        if (known != null) {
            return known;
        }
        // One probe per registry: the parallel blob transfers of a push all start by asking.
        synchronized (endpointLocks.computeIfAbsent(registry, r -> new Object())) {
            known = endpoints.get(registry);
            return known != null ? known : chooseEndpoint(registry);
        }
    }

    private Endpoint chooseEndpoint(String registry) throws IOException {
        Endpoint chosen = new Endpoint(registry, URI.create("https://" + registry + "/"), false);
        if (options.plainHttpRegistries().contains(RegistryOptions.normalizeRegistry(registry))) {
            chosen = new Endpoint(registry, URI.create("http://" + registry + "/"), true);
        } else if (options.isInsecure(registry)) {
            Endpoint plain = new Endpoint(registry, URI.create("http://" + registry + "/"), true);
            if (answersPlainHttp(chosen.base())) {
                // The HTTPS attempt could only fail; the plain one still has to succeed.
                LOG.debug("{} answers in plain HTTP on its port; using plain HTTP", registry);
                chosen = plain.probed(probe(plain));
            } else {
                try {
                    chosen = chosen.probed(probe(chosen));
                } catch (IOException httpsFailure) {
                    ProbeAnswer answer;
                    try {
                        answer = probe(plain);
                    } catch (IOException plainFailure) {
                        httpsFailure.addSuppressed(plainFailure);
                        throw httpsFailure;
                    }
                    LOG.debug("{} does not answer HTTPS ({}); using plain HTTP", registry, httpsFailure.toString());
                    chosen = plain.probed(answer);
                }
            }
        }
        Endpoint previous = endpoints.putIfAbsent(registry, chosen);
        return previous != null ? previous : chosen;
    }

    /**
     * Whether the port of {@code httpsBase} is known to speak plain HTTP, found without TLS. Only
     * for direct connections: through a proxy the port is the proxy's business.
     */
    private boolean answersPlainHttp(URI httpsBase) {
        if (proxySelector.select(httpsBase).stream().anyMatch(p -> p.type() != Proxy.Type.DIRECT)) {
            return false;
        }
        int port = httpsBase.getPort() < 0 ? 443 : httpsBase.getPort();
        return PlainHttpSniffer.answersPlainHttp(httpsBase.getHost(), port, options.connectTimeout());
    }

    /** A quick request to see whether the endpoint speaks HTTPS at all; its answer. */
    private ProbeAnswer probe(Endpoint ep) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(ep.resolve("/v2/"))
                .GET()
                .timeout(options.connectTimeout())
                .header("User-Agent", options.userAgent())
                .build();
        try {
            HttpResponse<BodyStream> r = client(ep.base()).send(request, BodyStream.handler(options.readTimeout(), "probing " + ep.registry()));
            new Response(r.statusCode(), r.headers(), r.uri(), r.body()).close();
            return new ProbeAnswer(r.statusCode(), r.headers());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (SSLException e) {
            throw tlsFailure("GET", request.uri(), e);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw networkFailure("GET", request.uri(), options.connectTimeout(), e);
        }
    }

    /**
     * One HTTP exchange, following redirects. {@code authorization} is sent to {@code uri}'s
     * origin only; a redirect to another origin goes without it. Bodies must be re-creatable for
     * 307/308 redirects ({@code body} is called once per request sent).
     */
    Response exchange(String method, URI uri, Map<String, String> headers, String authorization,
            Supplier<HttpRequest.BodyPublisher> body, String what) throws IOException {
        URI target = uri;
        String m = method;
        Supplier<HttpRequest.BodyPublisher> b = body;
        String origin = origin(uri);
        for (int redirects = 0; ; redirects++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(target)
                    .timeout(options.responseTimeout())
                    .header("User-Agent", options.userAgent());
            if ("http".equalsIgnoreCase(target.getScheme())) {
                rb.version(HttpClient.Version.HTTP_1_1);
            }
            for (Map.Entry<String, String> h : headers.entrySet()) {
                rb.header(h.getKey(), h.getValue());
            }
            if (authorization != null && origin.equals(origin(target))) {
                rb.header("Authorization", authorization);
            }
            HttpRequest.BodyPublisher publisher = b == null ? HttpRequest.BodyPublishers.noBody() : b.get();
            rb.method(m, publisher);
            // The JDK's timeout runs from sending the request: give large bodies time to go out
            // (at the minimum transfer rate) before the wait for the response begins.
            long length = publisher.contentLength();
            Duration timeout = length > 0 ? options.transferAllowance(length) : options.responseTimeout();
            rb.timeout(timeout);
            HttpResponse<BodyStream> r;
            try {
                LOG.debug("{} {}", m, redact(target));
                r = client(target).send(rb.build(), BodyStream.handler(options.readTimeout(), what));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(what + " interrupted");
            } catch (SSLException e) {
                throw tlsFailure(m, target, e);
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                LocalIOException local = localCause(e);
                if (local != null) {
                    throw local; // the request body could not be read here: no fault of the network's
                }
                throw networkFailure(m, target, timeout, e);
            } catch (IllegalArgumentException e) {
                throw new RegistryException(what + ": invalid request to " + redact(target) + ": " + e.getMessage(), e);
            }
            Response response = new Response(r.statusCode(), r.headers(), r.uri(), r.body());
            // A body of unknown length is bounded as a manifest would be; blob downloads, which
            // know their size, set their own bound (limitBody).
            limitBody(response, response.contentLength().orElse(RegistryClient.MAX_MANIFEST_BYTES));
            int status = r.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect || response.header("Location").isEmpty()) {
                return response;
            }
            if (redirects >= MAX_REDIRECTS) {
                response.close();
                throw new RegistryException(what + ": too many redirects (last to " + redact(target) + ")");
            }
            URI next = response.location(what);
            response.close();
            if ("https".equalsIgnoreCase(target.getScheme()) && "http".equalsIgnoreCase(next.getScheme())
                    && !options.isInsecure(next.getRawAuthority())) {
                throw new RegistryException(what + ": refusing a redirect from HTTPS to plain HTTP (" + redact(next) + ")");
            }
            LOG.debug("redirected to {}", redact(next));
            if (status == 303 || ((status == 301 || status == 302) && !m.equals("GET") && !m.equals("HEAD"))) {
                m = m.equals("HEAD") ? "HEAD" : "GET";
                b = null;
            }
            target = next;
        }
    }

    /**
     * The failure to read a request body that the JDK's client reports as its own failure to
     * send (an {@code IOException} whose message is the cause's class and text); null when none.
     */
    private static LocalIOException localCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof LocalIOException local) {
                return local;
            }
        }
        return null;
    }

    /**
     * Bounds the time {@code response}'s body may take to {@code bytes} at the minimum transfer
     * rate plus the response timeout, from now; the failure names the URL, the rate and how to
     * change it.
     */
    void limitBody(Response response, long bytes) {
        Duration allowed = options.transferAllowance(bytes);
        response.body().deadline(allowed, redact(response.uri()) + " is slower than the minimum transfer rate of "
                + options.minTransferRate() + " bytes/s (" + allowed.toSeconds() + " s allowed for " + bytes
                + " bytes: " + options.responseTimeout().toSeconds() + " s, plus the size at that rate); for a registry"
                + " that slow, set " + RegistryOptions.MIN_TRANSFER_RATE_VARIABLE + " to a lower rate, e.g. "
                + RegistryOptions.MIN_TRANSFER_RATE_VARIABLE + "=1KiB");
    }

    /**
     * A failed TLS handshake, or a port that does not speak TLS: never retried, since the
     * certificates will be the same next time. The message names the request and what to change.
     * Other TLS failures (a connection broken mid-record) are the network's and retried.
     */
    private IOException tlsFailure(String method, URI target, SSLException e) {
        String host = target.getRawAuthority();
        String message = e.getMessage() == null ? "" : e.getMessage();
        boolean notTls = message.contains("nrecognized SSL message");
        if (!(e instanceof SSLHandshakeException) && !notTls) {
            return networkFailure(method, target, options.responseTimeout(), e);
        }
        String hint;
        if (notTls) {
            hint = "the port does not speak TLS; for a registry that speaks plain HTTP use --insecure-registry " + host;
        } else if (message.contains("bad_certificate") || message.contains("certificate_required")) {
            hint = "the registry wants a client certificate: put client.cert and client.key in /etc/docker/certs.d/" + host + "/";
        } else if (message.contains("subject alternative") || message.contains("No name matching")) {
            hint = "the certificate is not for " + target.getHost() + "; use the name it was issued for, or --insecure-registry "
                    + host;
        } else {
            hint = "if the registry uses a private CA, pass it with --tls-ca or put it in /etc/docker/certs.d/" + host
                    + "/ca.crt; for a registry without valid TLS use --insecure-registry " + host;
        }
        return new RegistryException(method + " " + redact(target) + ": TLS handshake with " + host + " failed: " + message + "; "
                + hint, e);
    }

    /**
     * A request that got no HTTP answer, as a {@link NetworkException} that names the request and
     * the cause. The JDK's client reports a refused port and an unknown host alike, as a
     * {@code ConnectException} without a message; the cause is found by resolving and connecting
     * once more without it (a failure path: the extra connection costs nothing next to the retries).
     * Through a proxy, the proxy is what was connected to, and what the message names.
     */
    private NetworkException networkFailure(String method, URI target, Duration timeout, IOException e) {
        Proxy proxy = proxySelector.select(target).stream()
                .filter(p -> p.type() != Proxy.Type.DIRECT && p.address() instanceof InetSocketAddress)
                .findFirst().orElse(null);
        String host;
        int port;
        if (proxy != null) {
            InetSocketAddress address = (InetSocketAddress) proxy.address();
            host = address.getHostString();
            port = address.getPort();
        } else {
            host = target.getHost();
            port = target.getPort() >= 0 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
        }
        String request = method + " " + redact(target) + (proxy == null ? "" : " (through the proxy " + host + ":" + port + ")");
        if (causedBy(e, UnresolvedAddressException.class) || causedBy(e, UnknownHostException.class)) {
            return new NetworkException(request + ": unknown host " + host, false, e);
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new NetworkException(request + ": connection timed out after " + seconds(options.connectTimeout()), true, e);
        }
        if (e instanceof HttpTimeoutException) {
            return new NetworkException(request + ": timed out waiting for the response after " + seconds(timeout), true, e);
        }
        String detail = detail(e);
        if (e instanceof ConnectException && detail == null) {
            return connectFailure(request, host, port, e);
        }
        return new NetworkException(request + ": " + (detail == null ? e.getClass().getSimpleName() : detail), true, e);
    }

    /** Why {@code host:port} cannot be connected to, found by trying once, plainly. */
    private NetworkException connectFailure(String request, String host, int port, IOException original) {
        String cause;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, options.connectTimeout().toMillis()));
            cause = "connection failed"; // it answers now: the failure was passing
        } catch (UnknownHostException e) {
            return new NetworkException(request + ": unknown host " + host, false, original);
        } catch (SocketTimeoutException e) {
            cause = "connection timed out after " + seconds(options.connectTimeout());
        } catch (IOException e) {
            String detail = detail(e);
            cause = detail == null ? e.getClass().getSimpleName() : detail;
        }
        return new NetworkException(request + ": " + cause, true, original);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> kind) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (kind.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The first message along the cause chain, its first letter in lower case when it begins a
     * sentence ({@code Connection refused} becomes {@code connection refused}); null when none has one.
     */
    static String detail(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String message = c.getMessage();
            if (message != null && !message.isBlank()) {
                boolean sentence = message.length() > 1 && Character.isUpperCase(message.charAt(0))
                        && Character.isLowerCase(message.charAt(1));
                return sentence ? Character.toLowerCase(message.charAt(0)) + message.substring(1) : message;
            }
        }
        return null;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** scheme://host:port of a URI, for same-origin checks. */
    static String origin(URI uri) {
        int port = uri.getPort();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (port < 0) {
            port = scheme.equals("https") ? 443 : 80;
        }
        return scheme + "://" + Objects.toString(uri.getHost(), "").toLowerCase(Locale.ROOT) + ":" + port;
    }

    /** A URI for logs and messages: without query (upload state, signatures) and user info. */
    static String redact(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority().replaceFirst("^[^@]*@", "") + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /** The client for requests to {@code uri}'s host, with that host's TLS set-up. */
    HttpClient client(URI uri) throws IOException {
        String authority = uri.getRawAuthority().toLowerCase(Locale.ROOT);
        boolean insecure = options.isInsecure(authority);
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        if (!https) {
            HttpClient c = plainClient;
            if (c == null) {
                synchronized (this) {
                    if (plainClient == null) {
                        plainClient = newClient(new NoTlsContext());
                    }
                    c = plainClient;
                }
            }
            return c;
        }
        if (!insecure && !TlsConfig.hasCustomisation(authority, options.tlsCaFiles(), options.certsDirectories())) {
            HttpClient c = defaultClient;
            if (c == null) {
                synchronized (this) {
                    if (defaultClient == null) {
                        defaultClient = newClient(null);
                    }
                    c = defaultClient;
                }
            }
            return c;
        }
        HttpClient existing = clients.get(authority);
        if (existing != null) {
            return existing;
        }
        SSLContext ctx = TlsConfig.build(authority, options.tlsCaFiles(), options.certsDirectories(), insecure);
        return clients.computeIfAbsent(authority, a -> newClient(ctx));
    }

    private HttpClient newClient(SSLContext ctx) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(options.connectTimeout())
                .version(HttpClient.Version.HTTP_2)
                .proxy(proxySelector);
        if (ctx != null) {
            b.sslContext(ctx);
        }
        HttpClient client = b.build();
        made.add(client);
        return client;
    }

    @Override
    public void close() {
        clients.clear();
        defaultClient = null;
        plainClient = null;
        // Their selector threads would otherwise live on and hold up the JVM's exit (SelectorThreads).
        SelectorThreads.stop(made);
        made.clear();
    }
}
